using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// The real oidc-provider with its client credentials grant on, a recording API, and the proxy with provider
/// <c>oidc</c> offering OAuth2 and ClientCredentials (scope <c>api:read</c>). On the system clock unless the test asks for
/// a fake one, whose background loop is then left to the test (<c>BackgroundRefresher.RunOnceAsync</c>).
/// </summary>
internal sealed class ClientCredentialsScenario : IAsyncDisposable
{
    public const string Provider = "oidc";

    private ClientCredentialsScenario(OidcProviderServer server, RecordingUpstream api, ProxyHost proxy, DrivenClock? clock)
    {
        Server = server;
        Api = api;
        Proxy = proxy;
        _clock = clock;
    }

    private readonly DrivenClock? _clock;

    public OidcProviderServer Server { get; }

    public RecordingUpstream Api { get; }

    public ProxyHost Proxy { get; }

    public DrivenClock Clock => _clock ?? throw new InvalidOperationException("This scenario runs on the system clock: start it with fakeClock: true.");

    public static async Task<ClientCredentialsScenario> StartAsync(
        int accessTokenSeconds = 600, Action<Dictionary<string, string?>>? configure = null, bool fakeClock = false, CollectedTelemetry? telemetry = null,
        string? dataDirectory = null)
    {
        // No browser comes back here; the redirect URI only has to be a valid one.
        var server = await OidcProviderServer.StartAsync("http://127.0.0.1:9/admin/callback/oidc", accessTokenSeconds);
        var api = await RecordingUpstream.StartAsync();
        var settings = Settings(server, api.Address);
        settings["TokenProxy:Refresh:Background"] = "false";
        if (telemetry is not null)
        {
            settings[CollectedTelemetry.RecordEverything.Key] = CollectedTelemetry.RecordEverything.Value;
        }

        configure?.Invoke(settings);
        var clock = fakeClock ? new DrivenClock() : null;
        var proxy = await ProxyHost.StartAsync(settings, services: s =>
        {
            if (clock is not null)
            {
                s.AddSingleton<TimeProvider>(clock);
                s.Remove(s.Single(d => d.ServiceType == typeof(IHostedService)
                    && d.ImplementationFactory?.GetType().GenericTypeArguments[^1] == typeof(TokenProxy.Tokens.BackgroundRefresher)));
            }
        }, dataDirectory: dataDirectory, telemetry: telemetry);
        return new ClientCredentialsScenario(server, api, proxy, clock);
    }

    /// <summary>Provider <c>oidc</c> at this server by issuer, offering a person's grant and the client's own, its API at <paramref name="api"/>.</summary>
    public static Dictionary<string, string?> Settings(OidcProviderServer server, Uri api)
    {
        var settings = server.Provider(Provider);
        settings[$"TokenProxy:Providers:{Provider}:ApiBaseUrl"] = api.AbsoluteUri;
        settings[$"TokenProxy:Providers:{Provider}:Auth:0"] = "OAuth2";
        settings[$"TokenProxy:Providers:{Provider}:Auth:1"] = "ClientCredentials";
        settings[$"TokenProxy:Providers:{Provider}:Scopes:0"] = "api:read";
        settings.Remove($"TokenProxy:Providers:{Provider}:Scopes:1");
        settings.Remove($"TokenProxy:Providers:{Provider}:Scopes:2");
        return settings;
    }

    /// <summary><c>POST /admin/api/connections</c> with no credential: the proxy runs the grant.</summary>
    public Task<HttpResponseMessage> CreateAsync(string label, string[]? scopes = null) =>
        Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new { provider = Provider, label, scopes }));

    /// <summary>Creates the connection and asserts it was created; its JSON.</summary>
    public async Task<JsonElement> CreatedAsync(string label = "robot")
    {
        using var response = await CreateAsync(label);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>An API call through the proxy (or another instance, <paramref name="through"/>) with the connection <paramref name="label"/>.</summary>
    public Task<HttpResponseMessage> CallAsync(string label = "robot", string path = "/v1/things", ProxyHost? through = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/{Provider}{path}");
        request.Headers.Add("TokenProxy-Connection", label);
        return (through ?? Proxy).Client.SendAsync(request);
    }

    /// <summary>The bearer token the API received last.</summary>
    public string LastToken => Api.Requests.Last().Header("Authorization")!["Bearer ".Length..];

    /// <summary>
    /// From now on the API answers 401 to <paramref name="token"/>, but only once <paramref name="count"/> requests carrying
    /// it have arrived, so that they all hold the old token at once; any other token gets 200.
    /// </summary>
    public void RefuseOnceAllHoldIt(string token, int count)
    {
        var holding = 0;
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Api.Respond = async (context, request) =>
        {
            if (request.Header("Authorization") == $"Bearer {token}")
            {
                if (Interlocked.Increment(ref holding) == count)
                {
                    allArrived.TrySetResult();
                }

                await allArrived.Task;
                context.Response.StatusCode = 401;
            }
        };
    }

    /// <summary>Client credentials grants the server answered (including refused ones).</summary>
    public async Task<int> GrantsAsync() => (await Server.StatsAsync()).GetProperty("client_credentials").GetInt32();

    public async Task<JsonElement> ConnectionAsync(string id) =>
        JsonDocument.Parse(await Proxy.Client.GetStringAsync($"/admin/api/connections/{id}")).RootElement;

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Api.DisposeAsync();
        await Server.DisposeAsync();
    }
}
