namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// The setup most proxy tests share: a recording API on loopback and the real proxy in front of it, with the
/// custom provider <c>acme</c> pointing at the API. <see cref="Tokens.RefreshScenario"/> adds a token endpoint to the same.
/// </summary>
internal sealed class ProxyScenario : IAsyncDisposable
{
    private ProxyScenario(RecordingUpstream api, ProxyHost proxy)
    {
        Api = api;
        Proxy = proxy;
    }

    public RecordingUpstream Api { get; }

    public ProxyHost Proxy { get; }

    /// <param name="configure">Changes the proxy's settings before it starts; it is given the API's address (to add another provider there, say).</param>
    /// <param name="services">Changes to the proxy's services, as in <see cref="ProxyHost.StartAsync"/>.</param>
    /// <param name="dataDirectory">An existing data directory, kept after disposal, as in <see cref="ProxyHost.StartAsync"/>.</param>
    /// <param name="apiPath">Where <c>acme</c>'s API base is on the recording API.</param>
    public static async Task<ProxyScenario> StartAsync(
        Action<Dictionary<string, string?>, Uri>? configure = null, Action<IServiceCollection>? services = null, string? dataDirectory = null,
        string apiPath = "/")
    {
        var api = await RecordingUpstream.StartAsync();
        try
        {
            var settings = ProxyHost.Provider("acme", new Uri(api.Address, apiPath));
            configure?.Invoke(settings, api.Address);
            return new ProxyScenario(api, await ProxyHost.StartAsync(settings, services, dataDirectory));
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Api.DisposeAsync();
    }
}
