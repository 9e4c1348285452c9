using System.Net;
using System.Text.Json;
using TokenProxy.OAuth;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.OAuth;
using TokenProxy.Tokens;

namespace TokenProxy.Tests.Tokens;

/// <summary>Connect and callback against a scriptable authorization server (docs/architecture.md §6, D18–D24).</summary>
public sealed class AuthorizationFlowTests
{
    [Fact]
    public async Task Connect_redirects_with_pkce_state_and_a_per_provider_redirect_uri()
    {
        await using var scenario = await RefreshScenario.StartAsync(s => s["TokenProxy:Providers:acme:Scopes:0"] = "read");
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        var first = await browser.StartAsync("/admin/connect/acme");
        var second = await browser.StartAsync("/admin/connect/acme?label=second&scopes=read%20write");

        Assert.Equal("code", first["response_type"]);
        Assert.Equal("test-client", first["client_id"]);
        Assert.Equal("http://127.0.0.1:5080/admin/callback/acme", first["redirect_uri"]);
        Assert.Equal("S256", first["code_challenge_method"]);
        Assert.Equal(43, first["code_challenge"].Length);
        Assert.Equal("read", first["scope"]);
        Assert.Equal("read write", second["scope"]);
        Assert.NotEqual(first["state"], second["state"]);
        Assert.NotEqual(first["code_challenge"], second["code_challenge"]);
        var connections = JsonDocument.Parse(await scenario.Proxy.Client.GetStringAsync("/admin/api/connections")).RootElement;
        Assert.All(connections.EnumerateArray(), c => Assert.Equal("pending", c.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Callback_exchanges_the_code_once_stores_tokens_and_identity_and_the_api_works()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");

        using var callback = await browser.CallbackAsync("acme", ("code", "code-123"), ("state", authorize["state"]));
        using var replay = await browser.CallbackAsync("acme", ("code", "code-123"), ("state", authorize["state"]));
        using var api = await scenario.Proxy.Client.GetAsync("/acme/user");

        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        Assert.Equal("no-store", callback.Headers.CacheControl!.ToString());
        Assert.Equal("no-referrer", callback.Headers.GetValues("Referrer-Policy").Single());
        var id = callback.Headers.Location!.OriginalString.Split('/', '?')[3];
        Assert.Equal($"/admin/connections/{id}?connected=1", callback.Headers.Location.OriginalString);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        var exchange = Assert.Single(scenario.Authorization.Forms);
        Assert.Equal("authorization_code", exchange["grant_type"]);
        Assert.Equal("code-123", exchange["code"]);
        Assert.Equal(authorize["redirect_uri"], exchange["redirect_uri"]);
        Assert.Equal(authorize["code_challenge"], Pkce.Challenge(exchange["code_verifier"]));
        var connection = await scenario.ConnectionAsync(id);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal("ada@example.com", connection.GetProperty("account").GetProperty("email").GetString());
        Assert.Equal("user-42", connection.GetProperty("account").GetProperty("id").GetString());
        Assert.Equal("Bearer access-1", Assert.Single(scenario.Authorization.UserInfoAuthorizations));
        Assert.True(connection.GetProperty("canRefresh").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal("Bearer access-1", Assert.Single(scenario.Api.Requests).Header("Authorization"));
        Canary.AssertAbsent(exchange["code_verifier"], scenario.Proxy.Logs.All, "logs");
        Canary.AssertAbsent(FakeAuthorizationServer.ClientSecret, scenario.Proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task An_identity_endpoint_that_fails_leaves_the_account_unknown_and_says_why_in_one_line()
    {
        // The fake answers 404 here: the connect still succeeds, and the operator learns why no account is shown.
        await using var scenario = await RefreshScenario.StartAsync(s => s["TokenProxy:Providers:acme:Identity:Url"] = new Uri(new Uri(s["TokenProxy:Providers:acme:TokenUrl"]!), "/no-userinfo").AbsoluteUri);
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");

        using var callback = await browser.CallbackAsync("acme", ("code", "code-123"), ("state", authorize["state"]));

        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        var id = callback.Headers.Location!.OriginalString.Split('/', '?')[3];
        var connection = await scenario.ConnectionAsync(id);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, connection.GetProperty("account").ValueKind);
        var line = Assert.Single(scenario.Proxy.Logs.Lines, l => l.Contains("[1306]", StringComparison.Ordinal));
        Assert.StartsWith("Warning", line, StringComparison.Ordinal);
        Assert.Contains("(HTTP 404)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_name_with_text_direction_or_invisible_characters_is_kept_and_shown_without_them()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        // Chosen by whoever holds the account at the provider: U+202E would show "evil@example.com" reversed on the
        // portal page a client reads to check which account is connected.
        scenario.Authorization.UserInfo = new { sub = "user-7", email = "\u202Eev\u00ADil@example.com", name = "Ada\u200B\nLovelace\u2066" };
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");

        using var callback = await browser.CallbackAsync("acme", ("code", "code-123"), ("state", authorize["state"]));

        var id = callback.Headers.Location!.OriginalString.Split('/', '?')[3];
        var account = (await scenario.ConnectionAsync(id)).GetProperty("account");
        Assert.Equal("evil@example.com", account.GetProperty("email").GetString());
        Assert.Equal("Ada Lovelace", account.GetProperty("name").GetString());
        Assert.Equal("user-7", account.GetProperty("id").GetString());
        var page = await scenario.Proxy.Client.GetStringAsync($"/admin/connections/{id}");
        Assert.Contains("evil@example.com", page, StringComparison.Ordinal);
        Assert.DoesNotContain("202E", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\u202E", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_from_another_browser_is_rejected_without_an_exchange()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        using var victim = new ConnectFlow(scenario.Proxy.Address);
        using var attacker = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await victim.StartAsync("/admin/connect/acme");

        using var response = await attacker.CallbackAsync("acme", ("code", "c"), ("state", authorize["state"]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("another browser", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Expired_unknown_or_foreign_provider_state_is_rejected_without_an_exchange()
    {
        await using var scenario = await RefreshScenario.StartAsync(s =>
        {
            s["TokenProxy:Providers:other:ApiBaseUrl"] = "http://127.0.0.1:9/";
            s["TokenProxy:Providers:other:AuthorizationUrl"] = "http://127.0.0.1:9/authorize";
            s["TokenProxy:Providers:other:TokenUrl"] = "http://127.0.0.1:9/token";
            s["TokenProxy:Providers:other:ClientId"] = "other";
        }, fakeClock: true);
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var expired = await browser.StartAsync("/admin/connect/acme?label=one");
        var foreign = await browser.StartAsync("/admin/connect/acme?label=two");

        scenario.Clock.Advance(AuthorizationFlow.Lifetime + TimeSpan.FromSeconds(1));
        using var tooLate = await browser.CallbackAsync("acme", ("code", "c"), ("state", expired["state"]));
        using var unknown = await browser.CallbackAsync("acme", ("code", "c"), ("state", "made-up"));
        using var missing = await browser.CallbackAsync("acme", ("code", "c"));
        using var swapped = await browser.CallbackAsync("other", ("code", "c"), ("state", foreign["state"]));

        Assert.All([tooLate, unknown, missing, swapped], r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Mismatched_iss_is_a_mix_up_and_is_rejected()
    {
        await using var scenario = await RefreshScenario.StartAsync(s => s["TokenProxy:Providers:acme:Issuer"] = "https://issuer.acme.example");
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");

        using var response = await browser.CallbackAsync("acme", ("code", "c"), ("state", authorize["state"]), ("iss", "https://evil.test"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.Equal("[]", await scenario.Proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Fact]
    public async Task Error_response_is_shown_and_leaves_an_existing_connection_untouched()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync();
        var before = (await scenario.ConnectionAsync(id)).GetRawText();
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync($"/admin/connect/acme?connection={id}");

        using var response = await browser.CallbackAsync("acme", ("error", "access_denied"), ("error_description", "<script>alert(1)</script>"), ("state", authorize["state"]));
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("access_denied", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.Equal(before, (await scenario.ConnectionAsync(id)).GetRawText());
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Reconnect_keeps_the_id_replaces_the_access_token_and_keeps_the_refresh_token_when_none_is_returned()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync(refresh: "refresh-0");
        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens(rotate: false, prefix: "reconnected-");
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync($"/admin/connect/acme?connection={id}&scopes=read%20admin");

        using var callback = await browser.CallbackAsync("acme", ("code", "c"), ("state", authorize["state"]));
        await scenario.Proxy.Client.GetAsync("/acme/a");
        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens();
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        await scenario.Proxy.Client.GetAsync("/acme/b");

        Assert.Equal($"/admin/connections/{id}?connected=1", callback.Headers.Location!.OriginalString);
        Assert.Single(JsonDocument.Parse(await scenario.Proxy.Client.GetStringAsync("/admin/api/connections")).RootElement.EnumerateArray());
        Assert.Equal(["read", "admin"], (await scenario.ConnectionAsync(id)).GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Bearer reconnected-access-1", scenario.Api.Requests.First().Header("Authorization"));
        Assert.Equal("refresh-0", scenario.Authorization.Forms.Last()["refresh_token"]);
    }

    [Fact]
    public async Task Failed_code_exchange_shows_the_provider_error_and_stores_nothing()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(200, """{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}""");
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");

        using var response = await browser.CallbackAsync("acme", ("code", "c"), ("state", authorize["state"]));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("bad_verification_code", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var connection = JsonDocument.Parse(await scenario.Proxy.Client.GetStringAsync("/admin/api/connections")).RootElement[0];
        Assert.Equal("pending", connection.GetProperty("status").GetString());
        Assert.Equal("bad_verification_code", connection.GetProperty("lastError").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Provider_without_pkce_gets_no_challenge_and_no_verifier()
    {
        await using var scenario = await RefreshScenario.StartAsync(s => s["TokenProxy:Providers:acme:UsePkce"] = "false");
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");

        await browser.CallbackAsync("acme", ("code", "c"), ("state", authorize["state"]));

        Assert.False(authorize.ContainsKey("code_challenge"));
        Assert.False(Assert.Single(scenario.Authorization.Forms).ContainsKey("code_verifier"));
    }

    [Fact]
    public async Task Connect_started_from_another_site_is_refused()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/connect/acme");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await scenario.Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("[]", await scenario.Proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Fact]
    public async Task Provider_without_a_client_id_explains_what_to_configure()
    {
        await using var proxy = await ProxyHost.StartAsync();

        using var response = await proxy.Client.GetAsync("/admin/connect/github");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("TokenProxy:Providers:github:ClientId", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?scopes=read%22write", "character")]
    [InlineData("?label=default%0A", "label")]
    public async Task Connect_with_a_malformed_scope_or_label_is_refused_and_stores_nothing(string query, string named)
    {
        await using var scenario = await RefreshScenario.StartAsync();

        using var response = await scenario.Proxy.Client.GetAsync($"/admin/connect/acme{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("[]", await scenario.Proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Fact]
    public async Task Connect_with_more_scopes_than_allowed_is_refused()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var scopes = string.Join("%20", Enumerable.Range(0, 101).Select(i => $"s{i}"));

        using var response = await scenario.Proxy.Client.GetAsync($"/admin/connect/acme?scopes={scopes}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("At most 100 scopes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Code_exchange_answered_503_is_never_sent_again()
    {
        // RFC 6749 §4.1.2: a code is single-use; re-sending it could make the provider revoke what it issued.
        await using var scenario = await RefreshScenario.StartAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(503);
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");

        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", authorize["state"]));

        Assert.False(callback.IsSuccessStatusCode);
        Assert.Equal(1, scenario.Authorization.Calls);
    }
}
