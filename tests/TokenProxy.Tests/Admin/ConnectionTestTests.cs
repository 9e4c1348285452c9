using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Portal;
using TokenProxy.Tests.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Admin;

/// <summary>
/// <c>POST /admin/api/connections/{id}/test</c> and the portal's: one cheap authenticated read through the normal token
/// path, answered in words (README, "Admin API").
/// </summary>
public sealed class ConnectionTestTests
{
    private const string TestPath = "/v1/ping?cheap=1";

    private static Task<RefreshScenario> StartAsync() =>
        RefreshScenario.StartAsync(settings => settings["TokenProxy:Providers:acme:TestPath"] = TestPath);

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> TestAsync(ProxyHost proxy, string id)
    {
        var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/test"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response, body);
    }

    [Fact]
    public async Task The_real_providers_userinfo_is_read_as_the_identity_and_names_the_account()
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        await using var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc", accessTokenSeconds: 600);
        var settings = server.Provider("oidc");
        settings["Urls"] = publicBase;
        settings["TokenProxy:PublicBaseUrl"] = publicBase;
        await using var proxy = await ProxyHost.StartAsync(settings);
        using var browser = new OAuth.ConnectFlow(proxy.Address);
        using var connect = await browser.GetAsync("/admin/connect/oidc");
        var back = await OidcLogin.AuthorizeAsync(connect.Headers.Location!, "alice", $"{proxy.Address.AbsoluteUri}admin/callback/oidc");
        using var callback = await browser.GetAsync(back.PathAndQuery);
        var id = callback.Headers.Location!.OriginalString.Split('/', '?')[3];
        var row = (await proxy.Services.GetRequiredService<IConnectionStore>().GetAsync(id, CancellationToken.None))!;
        Assert.True(proxy.Services.GetRequiredService<SecretSealer>().TryOpen(id, SecretSealer.AccessTokenField, row.AccessToken!, out var access));

        var (response, body) = await TestAsync(proxy, id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("ok").GetBoolean());
        Assert.Equal(200, body.GetProperty("status").GetInt32());
        Assert.True(body.GetProperty("latencyMs").GetInt64() >= 0);
        Assert.Equal("alice", body.GetProperty("account").GetProperty("id").GetString());
        Assert.StartsWith("Works: the provider accepted the credentials (oidc answered 200 in ", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(" as Test User alice).", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await server.StatsAsync()).GetProperty("refresh_token").GetInt32());
        Canary.AssertAbsent(access, body.GetRawText() + proxy.Logs.All, "the test's answer and the logs");
    }

    [Fact]
    public async Task A_test_path_is_read_below_the_api_base_with_the_connections_token_which_never_appears_in_the_answer()
    {
        await using var scenario = await StartAsync();
        var token = Canary.New("testaccess");
        var id = await scenario.ImportAsync(access: token);

        var (response, body) = await TestAsync(scenario.Proxy, id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("ok").GetBoolean());
        var read = Assert.Single(scenario.Api.Requests);
        Assert.Equal(("GET", TestPath, $"Bearer {token}"), (read.Method, read.PathAndQuery, read.Header("Authorization")));
        Assert.False(body.TryGetProperty("account", out var account) && account.ValueKind != JsonValueKind.Null);
        Assert.StartsWith("Works: the provider accepted the credentials (acme answered 200 in ", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Canary.AssertAbsent(token, body.GetRawText() + scenario.Proxy.Logs.All, "the test's answer and the logs");
    }

    [Theory]
    [InlineData(500, "provider_error", "acme failed (500)")]
    [InlineData(403, "forbidden", "acme accepted the credentials but refused the read (403)")]
    public async Task A_failing_read_is_not_ok_and_says_what_the_provider_answered(int status, string error, string message)
    {
        await using var scenario = await StartAsync();
        scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = status;
            return context.Response.WriteAsync("""{"message":"no"}""");
        };
        var id = await scenario.ImportAsync();

        var (response, body) = await TestAsync(scenario.Proxy, id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(body.GetProperty("ok").GetBoolean());
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.StartsWith(message, body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.Equal("active", (await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_401_is_refreshed_once_and_the_read_made_again_with_the_new_token()
    {
        await using var scenario = await StartAsync();
        scenario.Api.Respond = (context, request) =>
        {
            context.Response.StatusCode = request.Header("Authorization") == "Bearer stale" ? 401 : 200;
            return context.Response.WriteAsync("{}");
        };
        var id = await scenario.ImportAsync(expiresIn: null);

        var (_, body) = await TestAsync(scenario.Proxy, id);

        Assert.True(body.GetProperty("ok").GetBoolean());
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Equal(["Bearer stale", "Bearer access-1"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task A_401_after_the_refresh_tells_the_person_to_reconnect()
    {
        await using var scenario = await StartAsync();
        scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = 401;
            return Task.CompletedTask;
        };
        var id = await scenario.ImportAsync(expiresIn: null);

        var (_, body) = await TestAsync(scenario.Proxy, id);

        Assert.False(body.GetProperty("ok").GetBoolean());
        Assert.Equal(401, body.GetProperty("status").GetInt32());
        Assert.Equal("rejected", body.GetProperty("error").GetString());
        Assert.Equal("The provider rejected the credentials (401) after a refresh: reconnect.", body.GetProperty("message").GetString());
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task An_unknown_connection_is_a_problem()
    {
        await using var scenario = await StartAsync();

        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections/nope/test"));

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "connection_not_found");
        Assert.Empty(scenario.Api.Requests);
    }

    [Fact]
    public async Task The_portal_tests_its_own_workspaces_connections_only_and_needs_the_csrf_header()
    {
        await using var portal = await PortalScenario.StartAsync([], settings => settings["TokenProxy:Providers:acme:TestPath"] = TestPath);
        await portal.CreateWorkspaceAsync("acme");
        await portal.CreateWorkspaceAsync("globex");
        var mine = await portal.InsertAsync("acme", "mine-label");
        var theirs = await portal.InsertAsync("globex", "their-label");
        var cookie = await portal.EnterAsync("acme");

        using var tested = await portal.PostAsync($"/portal/connections/{mine}/test", cookie);
        using var other = await portal.PostAsync($"/portal/connections/{theirs}/test", cookie);
        using var forged = await portal.PostAsync($"/portal/connections/{mine}/test", cookie, csrf: false);

        Assert.Equal(HttpStatusCode.OK, tested.StatusCode);
        Assert.True((await tested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ok").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(["Bearer access-0"], portal.Api.Requests.Select(r => r.Header("Authorization")));
    }
}
