using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>Revoke (RFC 7009, docs/architecture.md §2): at the provider when it can, always locally, never twice.</summary>
public sealed class RevokeTests
{
    [Fact]
    public async Task Revoke_sends_refresh_then_access_token_with_hints_and_deletes_local_secrets()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync(access: "access-x", refresh: "refresh-x");
        await scenario.Proxy.Client.GetAsync("/acme/before");

        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        using var after = await scenario.Proxy.Client.GetAsync("/acme/after");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Connection revoked.", body.GetProperty("message").GetString());
        Assert.Equal("revoked", body.GetProperty("connection").GetProperty("status").GetString());
        Assert.False(body.GetProperty("connection").GetProperty("canRefresh").GetBoolean());
        Assert.Equal("revoked", body.GetProperty("revocation").GetProperty("result").GetString());
        Assert.Equal(
            [("refresh-x", "refresh_token"), ("access-x", "access_token")],
            scenario.Authorization.Revocations.Select(f => (f["token"], f["token_type_hint"])));
        await Problems.AssertProblemAsync(after, HttpStatusCode.Unauthorized, "revoked");
        Assert.Single(scenario.Api.Requests);
        Assert.DoesNotContain("access-x", body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revocation_endpoint_answering_503_once_is_asked_again_and_the_tokens_are_revoked_at_the_provider()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var failures = 1;
        // RFC 7009 §2.2.1: 503 means "try again"; revoking twice is harmless (§2.2), so the request is re-sent.
        scenario.Authorization.RevokeRespond = context =>
        {
            context.Response.StatusCode = Interlocked.Decrement(ref failures) >= 0 ? 503 : 200;
            return Task.CompletedTask;
        };
        var id = await scenario.ImportAsync(access: "access-x", refresh: "refresh-x");

        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("revoked", body.GetProperty("revocation").GetProperty("result").GetString());
        Assert.Equal(
            [("refresh-x", "refresh_token"), ("refresh-x", "refresh_token"), ("access-x", "access_token")],
            scenario.Authorization.Revocations.Select(f => (f["token"], f["token_type_hint"])));
    }

    [Fact]
    public async Task Second_revoke_is_a_conflict_and_changes_nothing()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync();
        await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        var before = (await scenario.ConnectionAsync(id)).GetRawText();

        using var again = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));

        await Problems.AssertProblemAsync(again, HttpStatusCode.Conflict, "already_revoked");
        Assert.Equal(before, (await scenario.ConnectionAsync(id)).GetRawText());
        Assert.Equal(2, scenario.Authorization.Revocations.Count);
    }

    [Fact]
    public async Task Revocation_endpoint_failure_is_reported_and_the_connection_is_still_revoked_here()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        scenario.Authorization.RevokeRespond = context =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "30";
            return Task.CompletedTask;
        };
        var id = await scenario.ImportAsync();

        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("failed", body.GetProperty("revocation").GetProperty("result").GetString());
        Assert.Contains("503", body.GetProperty("revocation").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("revoked", body.GetProperty("connection").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Revoking_a_connection_whose_address_no_longer_resolves_says_the_provider_could_not_be_reached_and_revokes_locally()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var revoke = new Uri(settings["TokenProxy:Providers:acme:RevocationUrl"]!);
            settings["TokenProxy:Providers:acme:RevocationUrl"] = $"http://{{host}}:{revoke.Port}/revoke";
            settings["TokenProxy:Providers:acme:AllowedHosts:0"] = $"127.0.0.1:{revoke.Port}";
            settings["TokenProxy:Providers:acme:Parameters:host:Pattern"] = @"^[0-9.]{1,15}\z";
        });
        using var import = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new
        {
            provider = "acme", accessToken = "stale", refreshToken = "refresh-0", expiresIn = 3600,
            parameters = new Dictionary<string, string> { ["host"] = "127.0.0.1" },
        }));
        var id = (await import.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        // The row's parameter no longer makes an allowed address, as after a change of AllowedHosts.
        var store = scenario.Service<TokenProxy.Vault.IConnectionStore>();
        var row = await store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(await store.TryUpdateAsync(row! with { Parameters = new Dictionary<string, string> { ["host"] = "10.0.0.1" } }, CancellationToken.None));

        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        using var page = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Get, $"/admin/connections/{id}?done=revoked-unresolved"));

        var revocation = body.GetProperty("revocation");
        Assert.Equal("failed", revocation.GetProperty("result").GetString());
        Assert.Equal("invalid_destination", revocation.GetProperty("error").GetString());
        Assert.StartsWith("The provider could not be reached: the connection's address no longer resolves", revocation.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("revoked", body.GetProperty("connection").GetProperty("status").GetString());
        Assert.Empty(scenario.Authorization.Revocations);
        Assert.Contains("the connection&#x27;s address no longer resolves", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provider_without_a_revocation_endpoint_revokes_locally_and_says_so()
    {
        await using var scenario = await RefreshScenario.StartAsync(s => s.Remove("TokenProxy:Providers:acme:RevocationUrl"));
        var id = await scenario.ImportAsync();

        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("not_supported", body.GetProperty("revocation").GetProperty("result").GetString());
        Assert.Equal("revoked", body.GetProperty("connection").GetProperty("status").GetString());
        Assert.Empty(scenario.Authorization.Revocations);
    }

    [Fact]
    public async Task Refresh_finishing_after_a_revoke_does_not_bring_the_connection_back()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var request = scenario.Proxy.Client.GetAsync("/acme/during-refresh");
        await scenario.Authorization.FirstCall.Task;
        using var revoke = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        scenario.Authorization.Hold.SetResult();
        using var response = await request;

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "revoked");
        Assert.Equal("revoked", (await scenario.ConnectionAsync(id)).GetProperty("status").GetString());
        Assert.Empty(scenario.Api.Requests);
        // The tokens the late refresh obtained were revoked at the provider too, not just dropped.
        Assert.Equal(["refresh-0", "stale", "refresh-1", "access-1"], scenario.Authorization.Revocations.Select(f => f["token"]));
    }

    [Fact]
    public async Task Refresh_now_reports_success_and_failure_as_the_admin_pages_show_them()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync();

        using var ok = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant"}""");
        using var failed = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("Connection refreshed.", (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        var problem = await Problems.AssertProblemAsync(failed, HttpStatusCode.BadGateway, "refresh_failed");
        Assert.Equal("Failed to refresh connection. You may need to reconnect.", problem.GetProperty("detail").GetString());
        Assert.Equal("error", (await scenario.ConnectionAsync(id)).GetProperty("status").GetString());
    }
}
