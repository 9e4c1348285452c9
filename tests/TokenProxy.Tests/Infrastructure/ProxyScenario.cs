namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// The setup most proxy tests share: a recording API on loopback and the real proxy in front of it, with the
/// custom provider <c>acme</c> pointing at the API. The proxy can be stopped and started again on the same data
/// directory, as a process restart would; the API keeps running. <see cref="Tokens.RefreshScenario"/> adds a token
/// endpoint to the same.
/// </summary>
internal sealed class ProxyScenario : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly CollectedTelemetry? _telemetry;
    private readonly bool _ownsDirectory;
    private bool _running = true;

    private ProxyScenario(
        RecordingUpstream api, ProxyHost proxy, Dictionary<string, string?> settings, Action<IServiceCollection>? services, CollectedTelemetry? telemetry,
        bool ownsDirectory)
    {
        Api = api;
        Proxy = proxy;
        _settings = settings;
        _services = services;
        _telemetry = telemetry;
        _ownsDirectory = ownsDirectory;
    }

    public RecordingUpstream Api { get; }

    /// <summary>The proxy; after <see cref="StopAsync"/>, the stopped one (its logs stay readable) until <see cref="RestartAsync"/>.</summary>
    public ProxyHost Proxy { get; private set; }

    public string DataDirectory => Proxy.DataDirectory;

    /// <param name="configure">Changes the proxy's settings before it starts; it is given the API's address (to add another provider there, say).</param>
    /// <param name="services">Changes to the proxy's services, as in <see cref="ProxyHost.StartAsync"/>.</param>
    /// <param name="dataDirectory">An existing data directory, kept after disposal; null: a new one, deleted after.</param>
    /// <param name="apiPath">Where <c>acme</c>'s API base is on the recording API.</param>
    /// <param name="telemetry">In-memory exporters, as in <see cref="ProxyHost.StartAsync"/>.</param>
    public static async Task<ProxyScenario> StartAsync(
        Action<Dictionary<string, string?>, Uri>? configure = null, Action<IServiceCollection>? services = null, string? dataDirectory = null,
        string apiPath = "/", CollectedTelemetry? telemetry = null)
    {
        var api = await RecordingUpstream.StartAsync();
        var directory = dataDirectory ?? ProxyHost.NewDataDirectory();
        try
        {
            var settings = ProxyHost.Provider("acme", new Uri(api.Address, apiPath));
            configure?.Invoke(settings, api.Address);
            var proxy = await ProxyHost.StartAsync(settings, services, directory, telemetry: telemetry);
            return new ProxyScenario(api, proxy, settings, services, telemetry, ownsDirectory: dataDirectory is null);
        }
        catch
        {
            await api.DisposeAsync();
            if (dataDirectory is null)
            {
                ProxyHost.DeleteDataDirectory(directory);
            }

            throw;
        }
    }

    /// <summary>Stops the proxy; its database and key file stay, closed, until the scenario is disposed.</summary>
    public async Task StopAsync()
    {
        if (_running)
        {
            _running = false;
            await Proxy.DisposeAsync();
        }
    }

    /// <summary>Starts the proxy again (stopping it first if it runs) with the same settings, services and data directory.</summary>
    public async Task<ProxyHost> RestartAsync()
    {
        await StopAsync();
        Proxy = await ProxyHost.StartAsync(_settings, _services, DataDirectory, telemetry: _telemetry);
        _running = true;
        return Proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Api.DisposeAsync();
        if (_ownsDirectory)
        {
            ProxyHost.DeleteDataDirectory(DataDirectory);
        }
    }
}
