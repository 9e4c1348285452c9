using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Portal;

/// <summary>
/// The proxy with <c>Admin:Token</c> set, a token endpoint for <c>acme</c>, a fake clock, and a browser of the portal
/// that keeps no cookies itself (each request names the cookie it sends) and follows no redirect. Connections that
/// came from a connect request are inserted through the store, as the connect-request callback will write them.
/// </summary>
internal sealed class PortalScenario : IAsyncDisposable
{
    public const string AdminToken = "portal-tests-admin-token";

    private readonly RefreshScenario _scenario;

    private PortalScenario(RefreshScenario scenario)
    {
        _scenario = scenario;
        Admin = scenario.Proxy.Client;
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        Browser = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = scenario.Proxy.Address };
    }

    /// <summary>The operator: every request carries the admin token.</summary>
    public HttpClient Admin { get; }

    /// <summary>A client's browser: no admin token, no cookie jar.</summary>
    public HttpClient Browser { get; }

    public ProxyHost Proxy => _scenario.Proxy;

    public FakeAuthorizationServer Authorization => _scenario.Authorization;

    /// <summary>The provider's API.</summary>
    public RecordingUpstream Api => _scenario.Api;

    public DrivenClock Clock => _scenario.Clock;

    public static async Task<PortalScenario> StartAsync(
        Dictionary<string, string?> store, Action<Dictionary<string, string?>>? configure = null, CollectedTelemetry? telemetry = null)
    {
        var scenario = await RefreshScenario.StartAsync(settings =>
        {
            foreach (var (key, value) in store)
            {
                settings[key] = value;
            }

            settings["TokenProxy:Admin:Token"] = AdminToken;
            // Enough for every test here; the rate limit has tests of its own.
            settings["TokenProxy:Portal:PermitsPerMinute"] = "10000";
            configure?.Invoke(settings);
        }, fakeClock: true, telemetry: telemetry);
        return new PortalScenario(scenario);
    }

    public T Service<T>()
        where T : notnull => _scenario.Service<T>();

    public async Task CreateWorkspaceAsync(string id)
    {
        using var response = await Admin.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id, displayName = $"{id} company" }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Inserts a connection of <c>acme</c> as a connect or import would have written it; its id.</summary>
    public async Task<string> InsertAsync(
        string? workspace, string label, ConnectionOrigin origin = ConnectionOrigin.ConnectRequest, string? refreshToken = "refresh-0",
        string accessToken = "access-0", ConnectionStatus status = ConnectionStatus.Active, DateTimeOffset? refreshTokenExpiresAt = null)
    {
        var sealer = Service<SecretSealer>();
        var id = ConnectionIds.New();
        var now = Clock.GetUtcNow();
        var row = new ConnectionRow
        {
            Id = id,
            Provider = "acme",
            Label = label,
            Workspace = workspace,
            Origin = origin,
            Status = status,
            Account = new ConnectionAccount("user-1", $"{label}@client.example", "A person"),
            TokenType = "Bearer",
            AccessToken = sealer.Seal(id, SecretSealer.AccessTokenField, accessToken),
            RefreshToken = refreshToken is null ? null : sealer.Seal(id, SecretSealer.RefreshTokenField, refreshToken),
            ExpiresAt = now.AddHours(1),
            RefreshTokenExpiresAt = refreshTokenExpiresAt,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        Assert.True(await Service<IConnectionStore>().TryInsertAsync(row, CancellationToken.None));
        return id;
    }

    /// <summary>Mints a portal link for the workspace through the admin API; its address.</summary>
    public async Task<string> LinkAsync(string workspace, long? expiresIn = null)
    {
        using var request = ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/workspaces/{workspace}/portal-links", expiresIn is null ? null : new { expiresIn });
        using var response = await Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
    }

    /// <summary>Opens a link in a fresh browser; the portal cookie it set, or null when it set none.</summary>
    public async Task<(HttpResponseMessage Response, string? Cookie)> OpenAsync(string link)
    {
        var response = await Browser.GetAsync(new Uri(link).PathAndQuery);
        return (response, CookieOf(response));
    }

    /// <summary>Opens a fresh link of the workspace; the session cookie value.</summary>
    public async Task<string> EnterAsync(string workspace)
    {
        var (response, cookie) = await OpenAsync(await LinkAsync(workspace));
        using (response)
        {
            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
            return cookie ?? throw new InvalidOperationException("Opening the link set no portal cookie.");
        }
    }

    /// <summary>The value of the portal cookie a response sets, if any.</summary>
    public static string? CookieOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Where(c => c.StartsWith("tokenproxy_portal=", StringComparison.Ordinal)).Select(c => c.Split(';')[0]["tokenproxy_portal=".Length..]).LastOrDefault()
            : null;

    public Task<HttpResponseMessage> GetAsync(string path, string? cookie) => Browser.SendAsync(Request(HttpMethod.Get, path, cookie, csrf: false));

    public Task<HttpResponseMessage> PostAsync(string path, string? cookie, bool csrf = true) => Browser.SendAsync(Request(HttpMethod.Post, path, cookie, csrf));

    public static HttpRequestMessage Request(HttpMethod method, string path, string? cookie, bool csrf)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd("text/html");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", $"tokenproxy_portal={cookie}");
        }

        if (csrf)
        {
            request.Headers.Add("TokenProxy-Csrf", "1");
        }

        return request;
    }

    public async Task<JsonElement> ConnectionAsync(string id) =>
        JsonDocument.Parse(await Admin.GetStringAsync($"/admin/api/connections/{id}")).RootElement;

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await _scenario.DisposeAsync();
    }
}
