using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>A recording API, a scriptable token endpoint, and the proxy between them on a fake clock.</summary>
internal sealed class RefreshScenario : IAsyncDisposable
{
    private RefreshScenario(RecordingUpstream api, FakeAuthorizationServer authorization, ProxyHost proxy, FakeTimeProvider clock)
    {
        Api = api;
        Authorization = authorization;
        Proxy = proxy;
        Clock = clock;
    }

    public RecordingUpstream Api { get; }

    public FakeAuthorizationServer Authorization { get; }

    public ProxyHost Proxy { get; }

    public FakeTimeProvider Clock { get; }

    public static async Task<RefreshScenario> StartAsync(
        Action<Dictionary<string, string?>>? configure = null, Action<IServiceCollection>? services = null, CollectedTelemetry? telemetry = null)
    {
        var api = await RecordingUpstream.StartAsync();
        var authorization = await FakeAuthorizationServer.StartAsync();
        var clock = new FakeTimeProvider();
        var settings = authorization.Provider("acme", api.Address);
        settings["TokenProxy:Refresh:Background"] = "false";
        configure?.Invoke(settings);
        if (telemetry is not null)
        {
            settings.Add(CollectedTelemetry.RecordEverything.Key, CollectedTelemetry.RecordEverything.Value);
        }

        var proxy = await ProxyHost.StartAsync(settings, s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            telemetry?.Register(s);
            services?.Invoke(s);
        });
        return new RefreshScenario(api, authorization, proxy, clock);
    }

    /// <summary>Imports a connection holding <c>stale</c> / <c>refresh-0</c> that expires in an hour.</summary>
    public async Task<string> ImportAsync(string access = "stale", string? refresh = "refresh-0", long? expiresIn = 3600, string? label = null)
    {
        var created = await Proxy.ImportAsync("acme", access, label: label, refreshToken: refresh, expiresIn: expiresIn);
        return created.GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> ConnectionAsync(string id) =>
        JsonDocument.Parse(await Proxy.Client.GetStringAsync($"/admin/api/connections/{id}")).RootElement;

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Authorization.DisposeAsync();
        await Api.DisposeAsync();
    }
}
