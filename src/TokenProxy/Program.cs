using TokenProxy.Hosting;
using TokenProxy.Vault;

if (VaultCommand.Matches(args))
{
    return await VaultCommand.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddTokenProxy();

var app = builder.Build();
app.MapTokenProxy();
return await app.RunTokenProxyAsync();
