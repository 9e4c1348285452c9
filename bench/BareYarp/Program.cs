using BareYarp;

// Configuration as TokenProxy reads it: --urls and --Upstream on the command line.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddHttpForwarder();
builder.Services.AddSingleton<BareForwarder>();

var app = builder.Build();
var forwarder = app.Services.GetRequiredService<BareForwarder>();
// The same route shape as TokenProxy's data plane, so both do the same routing work.
app.Map("/{provider}/{**path}", forwarder.HandleAsync);
app.Run();
