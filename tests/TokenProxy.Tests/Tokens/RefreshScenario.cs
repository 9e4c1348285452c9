using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// A <see cref="ProxyScenario"/> whose provider has a scriptable token endpoint. On the system clock unless the test asks
/// for a fake one (<c>fakeClock: true</c>), whose timers are fake too: a request that waits on a retry backoff is
/// then run through <see cref="DrivenClock.RunAsync{T}"/>.
/// </summary>
internal sealed class RefreshScenario : IAsyncDisposable
{
    private readonly ProxyScenario _proxied;
    private readonly DrivenClock? _clock;

    private RefreshScenario(ProxyScenario proxied, FakeAuthorizationServer authorization, DrivenClock? clock)
    {
        _proxied = proxied;
        Authorization = authorization;
        _clock = clock;
    }

    public RecordingUpstream Api => _proxied.Api;

    public FakeAuthorizationServer Authorization { get; }

    public ProxyHost Proxy => _proxied.Proxy;

    /// <summary>The proxy's clock; only a scenario started with <c>fakeClock: true</c> has one to move.</summary>
    public DrivenClock Clock => _clock ?? throw new InvalidOperationException("This scenario runs on the system clock: start it with fakeClock: true.");

    public static async Task<RefreshScenario> StartAsync(
        Action<Dictionary<string, string?>>? configure = null, Action<IServiceCollection>? services = null, CollectedTelemetry? telemetry = null,
        bool fakeClock = false)
    {
        var authorization = await FakeAuthorizationServer.StartAsync();
        var clock = fakeClock ? new DrivenClock() : null;
        var proxied = await ProxyScenario.StartAsync((settings, api) =>
        {
            foreach (var (key, value) in authorization.Provider("acme", api))
            {
                settings[key] = value;
            }

            settings["TokenProxy:Refresh:Background"] = "false";
            configure?.Invoke(settings);
            if (telemetry is not null)
            {
                settings.Add(CollectedTelemetry.RecordEverything.Key, CollectedTelemetry.RecordEverything.Value);
            }
        }, s =>
        {
            if (clock is not null)
            {
                s.AddSingleton<TimeProvider>(clock);
                // The background loops would tick on this clock, so every Advance would start passes behind the test's back;
                // tests run a pass themselves (BackgroundRefresher.RunOnceAsync, RemoveAbandonedAsync) when they mean one.
                s.Remove(s.Single(d => d.ServiceType == typeof(IHostedService)
                    && d.ImplementationFactory?.GetType().GenericTypeArguments[^1] == typeof(TokenProxy.Tokens.BackgroundRefresher)));
                // So would the event log's retention and expiry passes (EventLogMaintenance.PruneAsync, WarnExpiringAsync).
                s.Remove(s.Single(d => d.ServiceType == typeof(IHostedService)
                    && d.ImplementationFactory?.GetType().GenericTypeArguments[^1] == typeof(TokenProxy.Tokens.EventLogMaintenance)));
            }

            services?.Invoke(s);
        }, telemetry: telemetry);
        return new RefreshScenario(proxied, authorization, clock);
    }

    /// <summary>Imports a connection holding <c>stale</c> / <c>refresh-0</c> that expires in an hour.</summary>
    public async Task<string> ImportAsync(string access = "stale", string? refresh = "refresh-0", long? expiresIn = 3600, string? label = null)
    {
        var created = await Proxy.ImportAsync("acme", access, label: label, refreshToken: refresh, expiresIn: expiresIn);
        return created.GetProperty("id").GetString()!;
    }

    /// <summary>One of the proxy's own services, to call it directly on the scenario's clock, store and token endpoint.</summary>
    public T Service<T>()
        where T : notnull => Proxy.Services.GetRequiredService<T>();

    /// <summary>The provider the scenario configures, as the proxy resolved it.</summary>
    public TokenProxy.Providers.ProviderDefinition Acme =>
        Service<TokenProxy.Providers.ProviderCatalog>().TryGet("acme", out var acme) ? acme : throw new InvalidOperationException("No provider acme.");

    public async Task<JsonElement> ConnectionAsync(string id) =>
        JsonDocument.Parse(await Proxy.Client.GetStringAsync($"/admin/api/connections/{id}")).RootElement;

    /// <summary>Stops the proxy, as <see cref="ProxyScenario.StopAsync"/>; its store stays, closed.</summary>
    public Task StopAsync() => _proxied.StopAsync();

    /// <summary>Starts the proxy again on the same settings and store, as <see cref="ProxyScenario.RestartAsync"/>.</summary>
    public Task<ProxyHost> RestartAsync() => _proxied.RestartAsync();

    public async ValueTask DisposeAsync()
    {
        await _proxied.DisposeAsync();
        await Authorization.DisposeAsync();
    }
}
