using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TokenProxy.Hosting;

namespace TokenProxy.Benchmarks.Infrastructure;

/// <summary>
/// The real TokenProxy application (AddTokenProxy/MapTokenProxy) in-process on a free loopback port, with its own
/// temporary data directory and key file and no logging, so what is measured is the proxy, not a console.
/// </summary>
internal sealed class BenchProxyHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private BenchProxyHost(WebApplication app, Uri address, string directory)
    {
        _app = app;
        _directory = directory;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<BenchProxyHost> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var directory = Directory.CreateTempSubdirectory("tokenproxy-bench-").FullName;
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["TokenProxy:DataDirectory"] = directory,
            // Never next to the database, as in the user's config directory.
            ["TokenProxy:Vault:KeyFile"] = Path.Combine(directory, "keys", "vault.key"),
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Benchmark", ContentRootPath = AppContext.BaseDirectory });
        // Settings first: whether OTLP export is on is decided while the services are registered.
        builder.Configuration.AddInMemoryCollection(all);
        builder.AddTokenProxy();
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapTokenProxy();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchProxyHost(app, new Uri(address), directory);
    }

    /// <summary>Imports a token through the admin API, as a person would; returns the connection id.</summary>
    public async Task<string> ImportAsync(string provider, string accessToken, string? label = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/api/connections")
        {
            Content = JsonContent.Create(new { provider, label, accessToken }),
        };
        request.Headers.Add("TokenProxy-Csrf", "1");
        using var response = await Client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Importing a token answered {(int)response.StatusCode}.");
        }

        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
