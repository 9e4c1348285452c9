using System.Net;
using System.Security.Cryptography;
using System.Text;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>Upstream 401 handling (docs/architecture.md §5, and §6: F36, F37).</summary>
public sealed class UnauthorizedReplayTests
{
    /// <summary>The API accepts only tokens the fake authorization server issued; the imported "stale" one gets 401.</summary>
    private static Task StaleGets401(HttpContext context, RecordedRequest request)
    {
        if (request.Header("Authorization") == "Bearer stale")
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return context.Response.WriteAsync("""{"message":"Bad credentials"}""");
        }

        return context.Response.WriteAsync("""{"ok":true}""");
    }

    [Fact]
    public async Task Get_that_gets_401_is_refreshed_and_replayed_once()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        scenario.Api.Respond = StaleGets401;
        await scenario.ImportAsync(expiresIn: null);

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user?x=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"ok":true}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(["Bearer stale", "Bearer access-1"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.All(scenario.Api.Requests, r => Assert.Equal("/user?x=1", r.PathAndQuery));
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.False(response.Headers.Contains("TokenProxy-Error"));
    }

    [Fact]
    public async Task Small_json_post_is_replayed_with_a_byte_identical_body()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        scenario.Api.Respond = StaleGets401;
        await scenario.ImportAsync(expiresIn: null);
        var json = "{\"data\":\"" + new string('x', 2048 - 11) + "\"}";

        using var response = await scenario.Proxy.Client.PostAsync("/acme/items", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, scenario.Api.Requests.Count);
        var hashes = scenario.Api.Requests.Select(r => Convert.ToHexString(SHA256.HashData(r.Body))).ToList();
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json))), hashes[0]);
        Assert.Equal(hashes[0], hashes[1]);
    }

    [Fact]
    public async Task Streamed_upload_is_not_replayed_but_the_next_request_uses_the_new_token()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        scenario.Api.Respond = StaleGets401;
        await scenario.ImportAsync(expiresIn: null);
        var upload = new byte[10 * 1024 * 1024];

        using var content = new StreamContent(new MemoryStream(upload));
        content.Headers.ContentLength = null; // chunked: length unknown, never buffered
        using var response = await scenario.Proxy.Client.PostAsync("/acme/upload", content);
        using var next = await scenario.Proxy.Client.GetAsync("/acme/next");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("token-refreshed", response.Headers.GetValues("TokenProxy-Retry").Single());
        Assert.Equal("""{"message":"Bad credentials"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(["Bearer stale", "Bearer access-1"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Body_larger_than_the_replay_limit_is_not_replayed()
    {
        await using var scenario = await RefreshScenario.StartAsync(s => s["TokenProxy:Refresh:MaxReplayBodyBytes"] = "1024");
        scenario.Api.Respond = StaleGets401;
        await scenario.ImportAsync(expiresIn: null);

        using var response = await scenario.Proxy.Client.PostAsync("/acme/items", new ByteArrayContent(new byte[4096]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(scenario.Api.Requests);
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Forbidden_never_refreshes()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
            return Task.CompletedTask;
        };
        await scenario.ImportAsync(expiresIn: null);

        using var response = await scenario.Proxy.Client.GetAsync("/acme/admin");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.Single(scenario.Api.Requests);
    }

    [Fact]
    public async Task Api_that_always_says_401_does_not_cause_a_refresh_loop()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        await scenario.ImportAsync(expiresIn: null);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await scenario.Proxy.Client.GetAsync($"/acme/{i}");
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(1, scenario.Authorization.Calls);
        // One replay after the single refresh, then every 401 passes straight through.
        Assert.Equal(11, scenario.Api.Requests.Count);

        scenario.Clock.Advance(TimeSpan.FromSeconds(31));
        await scenario.Proxy.Client.GetAsync("/acme/later");
        Assert.Equal(2, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task When_another_refresh_already_replaced_the_token_the_request_is_replayed_without_refreshing()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync(expiresIn: null);
        var refreshedElsewhere = false;
        scenario.Api.Respond = async (context, request) =>
        {
            if (request.Header("Authorization") == "Bearer stale" && !refreshedElsewhere)
            {
                // While this request is in flight, someone refreshes the connection (refresh-now).
                refreshedElsewhere = true;
                using var client = new HttpClient { BaseAddress = scenario.Proxy.Address };
                using var refresh = await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
                Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await StaleGets401(context, request);
        };

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Equal(["Bearer stale", "Bearer access-1"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task A_replay_refused_because_another_refresh_replaced_its_token_meanwhile_is_replayed_with_that_one()
    {
        // Short tokens on a saturated host: the replay's token ends while the replay waits, and another refresh has
        // stored the next one by the time its 401 comes back. That 401 must not reach the app.
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync(expiresIn: null);
        scenario.Api.Respond = async (context, request) =>
        {
            if (request.Header("Authorization") == "Bearer access-1")
            {
                await RefreshNowAsync(scenario, id);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await StaleGets401(context, request);
        };

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer stale", "Bearer access-1", "Bearer access-2"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(2, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_request_is_replayed_at_most_twice_however_often_its_token_is_replaced()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync(expiresIn: null);
        scenario.Api.Respond = async (context, _) =>
        {
            // Every token is replaced while its request is in flight, and refused.
            await RefreshNowAsync(scenario, id);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        };

        using var response = await scenario.Proxy.Client.PostAsync("/acme/items", new StringContent("""{"a":1}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("TokenProxy-Error"));
        Assert.Equal(["Bearer stale", "Bearer access-1", "Bearer access-2"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.All(scenario.Api.Requests, r => Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(r.Body)));
        Assert.Equal(3, scenario.Authorization.Calls);
    }

    /// <summary>A person's refresh-now, as another instance's refresh would: a new token is stored while a request is in flight.</summary>
    private static async Task RefreshNowAsync(RefreshScenario scenario, string id)
    {
        using var client = new HttpClient { BaseAddress = scenario.Proxy.Address };
        using var refresh = await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    [Fact]
    public async Task Rejected_refresh_after_a_401_answers_reconnect_required()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        scenario.Api.Respond = StaleGets401;
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant"}""");
        await scenario.ImportAsync(expiresIn: null);

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user");

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "reconnect_required");
        Assert.Single(scenario.Api.Requests);
    }

    [Fact]
    public async Task Revoke_at_the_provider_right_after_a_401_driven_refresh_is_noticed_on_the_next_request()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var revoked = false;
        scenario.Api.Respond = (context, request) =>
        {
            if (!revoked)
            {
                return StaleGets401(context, request);
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        var issue = FakeAuthorizationServer.IssueTokens();
        var rejectGrant = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant"}""");
        scenario.Authorization.Respond = (context, n) => n == 1 ? issue(context, n) : rejectGrant(context, n);
        var id = await scenario.ImportAsync(expiresIn: null);

        using var post = await scenario.Proxy.Client.PostAsync("/acme/items", new StringContent("""{"a":1}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode); // 401, refresh, replay: the new token works
        revoked = true; // the person revokes the app at the provider: its token and refresh token die there
        using var next = await scenario.Proxy.Client.GetAsync("/acme/next");

        await Problems.AssertProblemAsync(next, HttpStatusCode.Unauthorized, "reconnect_required");
        Assert.Equal("error", (await scenario.ConnectionAsync(id)).GetProperty("status").GetString());
        Assert.Equal(2, scenario.Authorization.Calls);
        Assert.Equal(["Bearer stale", "Bearer access-1", "Bearer access-1"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task Acceptance_of_a_token_a_401_driven_refresh_produced_is_written_once_not_per_request()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        scenario.Api.Respond = StaleGets401;
        var id = await scenario.ImportAsync(expiresIn: null);
        var store = scenario.Proxy.Services.GetRequiredService<TokenProxy.Vault.IConnectionStore>();

        using var first = await scenario.Proxy.Client.GetAsync("/acme/first"); // 401, refresh, replay accepted
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await scenario.Proxy.Client.GetAsync($"/acme/{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }));
        var row = (await store.GetAsync(id, CancellationToken.None))!;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // Import (1), refresh (2), the first acceptance of the new token (3); the other 20 answers write nothing.
        Assert.Equal(3, row.Version);
        Assert.Equal(TokenProxy.Tokens.TokenService.AcceptedAfterUpstream401, row.LastRefreshReason);
    }
}
