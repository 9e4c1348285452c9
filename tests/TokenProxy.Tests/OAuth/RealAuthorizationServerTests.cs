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
    private static async Task<(OidcProviderServer Server, ProxyHost Proxy)> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc");
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
        var requests = 0;
        var until = DateTime.UtcNow.AddSeconds(20);
        // Four callers at once, so refreshes are also contended.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
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
        var refreshes = (await server.StatsAsync()).GetProperty("refresh_token").GetInt32();

        Assert.Equal([HttpStatusCode.OK], statuses.Keys);
        // 2 s tokens refreshed 0.5 s early: one refresh every ~1.5 s, whatever the request rate.
        Assert.InRange(refreshes, 10, 16);
        Assert.True(requests > 10 * refreshes, $"{requests} requests, {refreshes} refreshes");
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
