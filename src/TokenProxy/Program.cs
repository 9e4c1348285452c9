using TokenProxy.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddTokenProxy();

var app = builder.Build();
app.MapTokenProxy();
return await app.RunTokenProxyAsync();
