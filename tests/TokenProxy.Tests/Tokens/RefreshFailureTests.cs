using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// Failure classification (docs/architecture.md §5, and §6: F34): rejections put the connection in
/// <c>error</c> with no automatic retry; outages keep tokens and status and tell the app to retry later.
/// </summary>
public sealed class RefreshFailureTests
{
    public static TheoryData<string, int, string?, string?, string> Rejections() => new()
    {
        // name, status, body, retry-after, expected lastError code (providers' errors inside HTTP 200: QuirkyTokenAnswerTests)
        { "invalid_grant", 400, """{"error":"invalid_grant","error_description":"Refresh token revoked"}""", null, "invalid_grant" },
        { "unauthorized_client", 400, """{"error":"unauthorized_client"}""", null, "unauthorized_client" },
        { "token with a newline", 200, """{"access_token":"abc\r\nX-Injected: 1","token_type":"bearer"}""", null, "invalid_token_response" },
        { "no access_token", 200, """{"token_type":"bearer"}""", null, "invalid_token_response" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Rejected_refresh_marks_the_connection_error_and_is_not_retried(string name, int status, string? body, string? retryAfter, string code)
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(status, body, retryAfter);
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var first = await scenario.Proxy.Client.GetAsync("/acme/a");
        using var second = await scenario.Proxy.Client.GetAsync("/acme/b");
        var connection = await scenario.ConnectionAsync(id);

        var problem = await Problems.AssertProblemAsync(first, HttpStatusCode.Unauthorized, "reconnect_required");
        Assert.Contains("/admin/connect/acme", problem.GetProperty("connect_url").GetString(), StringComparison.Ordinal);
        await Problems.AssertProblemAsync(second, HttpStatusCode.Unauthorized, "reconnect_required");
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Empty(scenario.Api.Requests);
        Assert.Equal("error", connection.GetProperty("status").GetString());
        Assert.Equal("Reconnection needed.", connection.GetProperty("statusDescription").GetString());
        Assert.Equal(code, connection.GetProperty("lastError").GetProperty("code").GetString());
        Assert.DoesNotContain("X-Injected", scenario.Proxy.Logs.All, StringComparison.Ordinal);
        _ = name;
    }

    public static TheoryData<int, string> ClientRefusals() => new()
    {
        { 401, """{"error":"invalid_client","error_description":"client authentication failed"}""" },
        { 400, """{"error":"invalid_client"}""" },
        // GitHub answers a wrong secret with 200 and its own code.
        { 200, """{"error":"incorrect_client_credentials","error_description":"The client_id and/or client_secret passed are incorrect."}""" },
    };

    [Theory]
    [MemberData(nameof(ClientRefusals))]
    public async Task A_refused_client_secret_keeps_the_connection_active_and_the_expired_token_gets_503_provider_misconfigured(int status, string body)
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(status, body);
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var first = await scenario.Proxy.Client.GetAsync("/acme/a");
        using var second = await scenario.Proxy.Client.GetAsync("/acme/b");
        var connection = await scenario.ConnectionAsync(id);

        await Problems.AssertProblemAsync(first, HttpStatusCode.ServiceUnavailable, "provider_misconfigured");
        Assert.NotNull(first.Headers.RetryAfter);
        await Problems.AssertProblemAsync(second, HttpStatusCode.ServiceUnavailable, "provider_misconfigured");
        // One call: the provider is not asked again within the probe interval, however many requests come.
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Empty(scenario.Api.Requests);
        Assert.Equal("active", connection.GetProperty("status").GetString());
    }

    public static TheoryData<string, int, string?, string?, int> Outages() => new()
    {
        // name, status, body, retry-after, expected calls (1 + retries)
        { "503", 503, null, null, 3 },
        { "500 with a body", 500, """{"error":"server_error"}""", null, 3 },
        { "502", 502, "<html>bad gateway</html>", null, 3 },
        { "429 with Retry-After", 429, null, "1", 3 },
        { "429 asking for longer than a request can wait", 429, null, "120", 1 },
        { "408", 408, null, null, 3 },
        { "200 temporarily_unavailable", 200, """{"error":"temporarily_unavailable"}""", null, 3 },
        { "200 with an unreadable body", 200, "<html>maintenance</html>", null, 3 },
        { "403 page from a firewall", 403, "<html>Access denied</html>", null, 3 },
        { "404 during a deploy", 404, null, null, 3 },
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public async Task Outage_keeps_the_connection_active_and_the_expired_token_gets_503_with_retry_after(string name, int status, string? body, string? retryAfter, int calls)
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(status, body, retryAfter);
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var response = await scenario.Clock.RunAsync(() => scenario.Proxy.Client.GetAsync("/acme/a"));
        var connection = await scenario.ConnectionAsync(id);

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        if (retryAfter == "120")
        {
            Assert.Equal(TimeSpan.FromSeconds(120), response.Headers.RetryAfter!.Delta);
        }

        Assert.Equal(calls, scenario.Authorization.Calls);
        Assert.Empty(scenario.Api.Requests);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.True(connection.GetProperty("canRefresh").GetBoolean());
        Assert.NotEqual(JsonValueKindNull, connection.GetProperty("lastError").ValueKind);
        _ = name;
    }

    [Fact]
    public async Task During_an_outage_a_token_that_is_still_valid_keeps_being_used()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync(expiresIn: 3600);
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(503);
        scenario.Clock.Advance(TimeSpan.FromMinutes(59.5)); // due (inside the skew) but not expired

        using var response = await scenario.Clock.RunAsync(() => scenario.Proxy.Client.GetAsync("/acme/a"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer stale", Assert.Single(scenario.Api.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task After_an_outage_requests_do_not_hammer_the_token_endpoint_and_recover_when_it_is_back()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(503, retryAfter: "2");
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        await scenario.Clock.RunAsync(() => scenario.Proxy.Client.GetAsync("/acme/a"));
        var callsAfterFirst = scenario.Authorization.Calls;
        for (var i = 0; i < 20; i++)
        {
            using var during = await scenario.Proxy.Client.GetAsync("/acme/during");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        }

        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens();
        scenario.Clock.Advance(TimeSpan.FromSeconds(3));
        using var after = await scenario.Proxy.Client.GetAsync("/acme/after");

        Assert.Equal(callsAfterFirst, scenario.Authorization.Calls - 1);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.StartsWith("Bearer access-", Assert.Single(scenario.Api.Requests).Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_endpoint_redirect_is_not_followed_and_counts_as_transient()
    {
        await using var attacker = await RecordingUpstream.StartAsync();
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(307, location: new Uri(attacker.Address, "/steal").AbsoluteUri);
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var response = await scenario.Clock.RunAsync(() => scenario.Proxy.Client.GetAsync("/acme/a"));

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        Assert.Empty(attacker.Requests);
        Assert.Equal("active", (await scenario.ConnectionAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Token_endpoint_connection_breaking_mid_answer_is_transient_and_not_sent_again()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = async (context, _) =>
        {
            context.Response.ContentLength = 500;
            await context.Response.WriteAsync("{\"access_token\":\"partial");
            await context.Response.Body.FlushAsync();
            context.Abort();
        };
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var response = await scenario.Clock.RunAsync(() => scenario.Proxy.Client.GetAsync("/acme/a"));

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        var connection = await scenario.ConnectionAsync(id);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal("connection_lost", connection.GetProperty("lastError").GetProperty("code").GetString());
        // The request had reached the provider, which may have rotated the refresh token: sending it again would be reuse.
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Unreachable_token_endpoint_is_transient()
    {
        await using var scenario = await RefreshScenario.StartAsync(s =>
            s["TokenProxy:Providers:acme:TokenUrl"] = "http://127.0.0.1:1/token", fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var response = await scenario.Clock.RunAsync(() => scenario.Proxy.Client.GetAsync("/acme/a"));

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        var connection = await scenario.ConnectionAsync(id);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal("connection_failed", connection.GetProperty("lastError").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Expired_token_without_a_refresh_token_is_never_forwarded()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync(refresh: null, expiresIn: 60);
        scenario.Clock.Advance(TimeSpan.FromMinutes(2));

        using var response = await scenario.Proxy.Client.GetAsync("/acme/a");

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "reconnect_required");
        Assert.Empty(scenario.Api.Requests);
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
