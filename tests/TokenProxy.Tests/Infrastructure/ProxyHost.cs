using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TokenProxy.Hosting;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// The real TokenProxy application on a free loopback port, with its own data directory and key file,
/// every log line captured at Trace level. The benchmarks host it too, with no logging at all.
/// </summary>
internal sealed class ProxyHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private ProxyHost(WebApplication app, Uri address, string dataDirectory, CapturedLogs logs, bool ownsDirectory)
    {
        _app = app;
        _ownsDirectory = ownsDirectory;
        Address = address;
        DataDirectory = dataDirectory;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public string DataDirectory { get; }

    public string KeyFile => KeyFileFor(DataDirectory);

    public string DatabasePath => Path.Combine(DataDirectory, "tokenproxy.db");

    public CapturedLogs Logs { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>A port that was free a moment ago, for servers whose address must be known before they start.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string NewDataDirectory() => Directory.CreateTempSubdirectory("tokenproxy-test-").FullName;

    /// <summary>Deletes a data directory, once no pooled SQLite connection keeps its database open.</summary>
    public static void DeleteDataDirectory(string dataDirectory)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataDirectory, recursive: true);
    }

    /// <summary>The key lives in its own folder, as it would in the user's config directory: never next to the database.</summary>
    public static string KeyFileFor(string dataDirectory) => Path.Combine(dataDirectory, "keys", "vault.key");

    /// <summary>The TokenProxy application (<c>AddTokenProxy</c>, <c>MapTokenProxy</c>) on the given settings, not started.</summary>
    /// <param name="settings">All configuration keys.</param>
    /// <param name="logs">Where every line goes, at Trace level; null: no logging (what a benchmark measures is the proxy, not a logger).</param>
    /// <param name="services">Changes to the services after <c>AddTokenProxy</c>.</param>
    /// <param name="telemetry">In-memory exporters, registered before <c>AddTokenProxy</c> (which listens for spans only when something receives them).</param>
    public static WebApplication Build(
        IDictionary<string, string?> settings, CapturedLogs? logs, Action<IServiceCollection>? services = null, CollectedTelemetry? telemetry = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test", ContentRootPath = AppContext.BaseDirectory });
        // Settings and exporters first: whether spans are listened to and exported is decided while the services are registered.
        builder.Configuration.AddInMemoryCollection(settings);
        telemetry?.Register(builder.Services);
        builder.AddTokenProxy();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        }

        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapTokenProxy();
        return app;
    }

    /// <param name="settings">Configuration keys over the defaults (loopback, own data directory and key file).</param>
    /// <param name="services">Changes to the proxy's services after <c>AddTokenProxy</c>.</param>
    /// <param name="dataDirectory">An existing data directory, kept after disposal; null: a new one, deleted after.</param>
    /// <param name="captureLogs">False: no logging at all, and <see cref="Logs"/> stays empty.</param>
    /// <param name="telemetry">In-memory exporters for spans and metrics, as in <see cref="Build"/>.</param>
    public static async Task<ProxyHost> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string? dataDirectory = null, bool captureLogs = true,
        CollectedTelemetry? telemetry = null)
    {
        var directory = dataDirectory ?? NewDataDirectory();
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["TokenProxy:DataDirectory"] = directory,
            ["TokenProxy:Vault:KeyFile"] = KeyFileFor(directory),
        };
        if (captureLogs)
        {
            // Everything at Trace, overriding appsettings.json's filters: canary checks must see the chattiest logs.
            all["Logging:LogLevel:Default"] = "Trace";
            all["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
            all["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var logs = new CapturedLogs();
        var app = Build(all, captureLogs ? logs : null, services, telemetry);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A start that fails (bad config, vault refusal) must not keep the store's file lock.
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ProxyHost(app, new Uri(address), directory, logs, ownsDirectory: dataDirectory is null);
    }

    /// <summary>Settings for a custom provider named <paramref name="name"/> whose API is <paramref name="apiBase"/>.</summary>
    public static Dictionary<string, string?> Provider(string name, Uri apiBase, string? tokenHeader = null) =>
        AddProvider([], name, apiBase, tokenHeader);

    /// <summary>Adds a custom provider named <paramref name="name"/> whose API is <paramref name="apiBase"/> to <paramref name="settings"/>.</summary>
    public static Dictionary<string, string?> AddProvider(Dictionary<string, string?> settings, string name, Uri apiBase, string? tokenHeader = null)
    {
        settings[$"TokenProxy:Providers:{name}:ApiBaseUrl"] = apiBase.AbsoluteUri;
        if (tokenHeader is not null)
        {
            settings[$"TokenProxy:Providers:{name}:TokenHeader"] = tokenHeader;
        }

        return settings;
    }

    /// <summary>An admin API request from loopback with the CSRF header that state changes need.</summary>
    public static HttpRequestMessage AdminRequest(HttpMethod method, string path, object? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("TokenProxy-Csrf", "1");
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        return request;
    }

    /// <summary>Imports a token through the admin API and returns the new connection's JSON.</summary>
    public async Task<JsonElement> ImportAsync(string provider, string accessToken, string? label = null, string? refreshToken = null, long? expiresIn = null)
    {
        using var response = await Client.SendAsync(AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider, label, accessToken, refreshToken, expiresIn }));
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
        {
            // An exception, not an assertion: the benchmarks import through here too.
            throw new InvalidOperationException($"Importing a token answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            DeleteDataDirectory(DataDirectory);
        }
    }
}
