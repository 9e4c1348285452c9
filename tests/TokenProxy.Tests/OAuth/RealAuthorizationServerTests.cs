using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// Against a real, certified authorization server (node oidc-provider): the whole connect flow over HTTP,
/// an API call through the proxy, refresh with rotating refresh tokens, and revocation checked by
/// introspection at the provider.
/// </summary>
public sealed class RealAuthorizationServerTests
{
    private static async Task<(OidcProviderServer Server, ProxyHost Proxy)> StartAsync(Dictionary<string, string?>? extra = null, int accessTokenSeconds = 2)
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc", accessTokenSeconds);
        var settings = server.Provider("oidc");
        settings["Urls"] = publicBase;
        settings["TokenProxy:PublicBaseUrl"] = publicBase;
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return (server, await ProxyHost.StartAsync(settings));
    }

    private static async Task<string> ConnectAsync(ProxyHost proxy, string login)
    {
        using var browser = new OAuth.ConnectFlow(proxy.Address);
        using var connect = await browser.GetAsync("/admin/connect/oidc");
        Assert.Equal(HttpStatusCode.Redirect, connect.StatusCode);
        var back = await OidcLogin.AuthorizeAsync(connect.Headers.Location!, login, $"{proxy.Address.AbsoluteUri}admin/callback/oidc");
        using var callback = await browser.GetAsync(back.PathAndQuery);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        return callback.Headers.Location!.OriginalString.Split('/', '?')[3];
    }

    [Fact]
    public async Task Person_connects_through_the_real_login_and_consent_pages_and_the_api_works_through_the_proxy()
    {
        var (server, proxy) = await StartAsync();
        await using var _ = server;
        await using var __ = proxy;

        var id = await ConnectAsync(proxy, "alice");
        var connection = JsonDocument.Parse(await proxy.Client.GetStringAsync($"/admin/api/connections/{id}")).RootElement;
        using var me = await proxy.Client.GetAsync("/oidc/me");

        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal("alice@example.com", connection.GetProperty("account").GetProperty("email").GetString());
        Assert.Equal("alice", connection.GetProperty("account").GetProperty("id").GetString());
        Assert.True(connection.GetProperty("canRefresh").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("alice", (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sub").GetString());
        Assert.Equal(1, (await server.StatsAsync()).GetProperty("authorization_code").GetInt32());
        Canary.AssertAbsent(OidcProviderServer.ClientSecret, proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task Revoke_kills_the_tokens_at_the_provider()
    {
        var (server, proxy) = await StartAsync();
        await using var _ = server;
        await using var __ = proxy;
        var id = await ConnectAsync(proxy, "bob");
        var (access, refresh) = await OpenTokensAsync(proxy, id);
        Assert.True(await server.IsActiveAsync(refresh));

        using var revoke = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        var body = await revoke.Content.ReadFromJsonAsync<JsonElement>();
        using var after = await proxy.Client.GetAsync("/oidc/me");

        Assert.Equal("revoked", body.GetProperty("revocation").GetProperty("result").GetString());
        Assert.False(await server.IsActiveAsync(refresh));
        Assert.False(await server.IsActiveAsync(access));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("revoked", after.Headers.GetValues("TokenProxy-Error").Single());
        Canary.AssertAbsent(refresh, proxy.Logs.All + body.GetRawText(), "logs and the revoke answer");
        Canary.AssertAbsent(access, proxy.Logs.All + body.GetRawText(), "logs and the revoke answer");
    }

    [Fact]
    public async Task Client_calling_for_20_seconds_on_2_second_tokens_never_sees_a_401_and_refreshes_once_per_expiry()
    {
        var (server, proxy) = await StartAsync(new() { ["TokenProxy:Refresh:Skew"] = "00:00:00.5" });
        await using var _ = server;
        await using var __ = proxy;
        await ConnectAsync(proxy, "carol");

        var statuses = new Dictionary<HttpStatusCode, int>();
        // Four callers at once, so refreshes are also contended.
        var requests = await CallMeAsync(proxy, callers: 4, TimeSpan.FromSeconds(20), statuses);
        var refreshes = (await server.StatsAsync()).GetProperty("refresh_token").GetInt32();

        Assert.Equal([HttpStatusCode.OK], statuses.Keys);
        // 2 s tokens refreshed 0.5 s early: one refresh every ~1.5 s, whatever the request rate.
        Assert.InRange(refreshes, 10, 16);
        Assert.True(requests > 10 * refreshes, $"{requests} requests, {refreshes} refreshes");
    }

    [Fact]
    public async Task Callers_on_2_second_tokens_with_the_default_one_minute_skew_refresh_about_once_per_lifetime_never_per_request()
    {
        // Default skew; the background refresher looks every second, so it runs alongside the requests' own refreshes.
        var (server, proxy) = await StartAsync(new() { ["TokenProxy:Refresh:BackgroundInterval"] = "00:00:01" });
        await using var _ = server;
        await using var __ = proxy;
        await ConnectAsync(proxy, "dave");

        var statuses = new Dictionary<HttpStatusCode, int>();
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        // One caller alone, then four at once, 3 s each.
        var requests = await CallMeAsync(proxy, callers: 1, TimeSpan.FromSeconds(3), statuses)
            + await CallMeAsync(proxy, callers: 4, TimeSpan.FromSeconds(3), statuses);
        var seconds = elapsed.Elapsed.TotalSeconds;
        var refreshes = (await server.StatsAsync()).GetProperty("refresh_token").GetInt32();

        Assert.Equal([HttpStatusCode.OK], statuses.Keys);
        // About one refresh per 2 s lifetime. oidc-provider counts expiry in whole seconds, so a "2 s" token may really
        // live just over 1 s (then the API's 401 refreshes it): at most one per second, plus one.
        Assert.InRange(refreshes, (int)(seconds / 2) - 1, (int)seconds + 1);
        Assert.True(requests > 10 * refreshes, $"{requests} requests, {refreshes} refreshes");
    }

    [Fact]
    public async Task Revoke_at_the_provider_right_after_a_401_driven_refresh_gives_reconnect_required_on_the_next_request()
    {
        // Tokens that outlive the test: every refresh here is driven by a 401.
        var (server, proxy) = await StartAsync(accessTokenSeconds: 600);
        await using var _ = server;
        await using var __ = proxy;
        var id = await ConnectAsync(proxy, "erin");
        // The stored access token is one the API no longer accepts (revoking it at this server would end the whole grant).
        var store = proxy.Services.GetRequiredService<IConnectionStore>();
        var row = (await store.GetAsync(id, CancellationToken.None))!;
        var sealer = proxy.Services.GetRequiredService<SecretSealer>();
        Assert.NotNull(await store.TryUpdateAsync(row with { AccessToken = sealer.Seal(id, SecretSealer.AccessTokenField, "no-longer-accepted") }, CancellationToken.None));

        using var post = await proxy.Client.PostAsync("/oidc/me", new FormUrlEncodedContent(new Dictionary<string, string> { ["note"] = "replayed byte for byte" }));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode); // 401, refresh, replay with the new token
        var (_, refresh) = await OpenTokensAsync(proxy, id);
        await server.RevokeAsync(refresh, "refresh_token"); // the person revokes the app: the whole grant dies
        using var next = await proxy.Client.GetAsync("/oidc/me");

        await Problems.AssertProblemAsync(next, HttpStatusCode.Unauthorized, "reconnect_required");
        var connection = JsonDocument.Parse(await proxy.Client.GetStringAsync($"/admin/api/connections/{id}")).RootElement;
        Assert.Equal("error", connection.GetProperty("status").GetString());
        Assert.Equal(2, (await server.StatsAsync()).GetProperty("refresh_token").GetInt32());
    }

    [Fact]
    public async Task A_real_connect_refresh_and_grant_revoked_at_the_provider_are_in_the_event_log_once_each()
    {
        var (server, proxy) = await StartAsync(accessTokenSeconds: 600);
        await using var _ = server;
        await using var __ = proxy;
        var id = await ConnectAsync(proxy, "frank");

        using var refresh = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        var (_, refreshToken) = await OpenTokensAsync(proxy, id);
        await server.RevokeAsync(refreshToken, "refresh_token");
        using var broken = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        using var brokenAgain = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));

        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, broken.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, brokenAgain.StatusCode);
        var events = JsonDocument.Parse(await proxy.Client.GetStringAsync($"/admin/api/events?connection={id}")).RootElement.GetProperty("items");
        Assert.Equal(
            ["connection.error", "connection.refreshed", "connection.created"],
            events.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("invalid_grant", events[0].GetProperty("data").GetProperty("error").GetString());
        Assert.Equal("connect", events[2].GetProperty("data").GetProperty("via").GetString());
    }

    /// <summary><paramref name="callers"/> callers each sending GET /oidc/me in a loop for <paramref name="duration"/>; returns how many were sent.</summary>
    private static async Task<int> CallMeAsync(ProxyHost proxy, int callers, TimeSpan duration, Dictionary<HttpStatusCode, int> statuses)
    {
        var requests = 0;
        var until = DateTime.UtcNow + duration;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (DateTime.UtcNow < until)
            {
                using var response = await proxy.Client.GetAsync("/oidc/me");
                lock (statuses)
                {
                    statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
                    requests++;
                }
            }
        }));
        return requests;
    }

    /// <summary>Reads the stored tokens the way only the proxy can: the test runs in its process.</summary>
    private static async Task<(string Access, string Refresh)> OpenTokensAsync(ProxyHost proxy, string id)
    {
        var row = (await proxy.Services.GetRequiredService<IConnectionStore>().GetAsync(id, CancellationToken.None))!;
        var sealer = proxy.Services.GetRequiredService<SecretSealer>();
        Assert.True(sealer.TryOpen(id, SecretSealer.AccessTokenField, row.AccessToken!, out var access));
        Assert.True(sealer.TryOpen(id, SecretSealer.RefreshTokenField, row.RefreshToken!, out var refresh));
        return (access, refresh);
    }
}
