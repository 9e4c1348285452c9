using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tokens;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// Client-credentials connections (RFC 6749 §4.4) against the real oidc-provider: created without a browser, the token the
/// server issued is what the API receives, and renewing is running the grant again — before expiry, in the background,
/// and once for any number of concurrent 401s. A refused grant stores nothing and says why.
/// </summary>
public sealed class ClientCredentialsTests
{
    [Fact]
    public async Task Connection_is_created_without_a_browser_and_the_api_receives_the_token_the_provider_issued_to_the_client()
    {
        await using var scenario = await ClientCredentialsScenario.StartAsync();

        var created = await scenario.CreatedAsync();
        using var call = await scenario.CallAsync();
        var token = scenario.LastToken;
        var introspected = await scenario.Server.IntrospectAsync(token);

        Assert.Equal("clientcredentials", created.GetProperty("credentialKind").GetString());
        Assert.Equal("active", created.GetProperty("status").GetString());
        Assert.Equal("robot", created.GetProperty("label").GetString());
        Assert.Equal(["api:read"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.True(created.GetProperty("canRefresh").GetBoolean());
        Assert.Equal(JsonValueKind.String, created.GetProperty("expiresAt").ValueKind);
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.True(introspected.GetProperty("active").GetBoolean());
        Assert.Equal(OidcProviderServer.ClientId, introspected.GetProperty("client_id").GetString());
        Assert.Equal("api:read", introspected.GetProperty("scope").GetString());
        // A token for the client itself: no person behind it.
        Assert.False(introspected.TryGetProperty("sub", out _));
        Assert.Equal(1, await scenario.GrantsAsync());
    }

    [Fact]
    public async Task Connection_asks_for_its_own_scopes_when_it_names_them()
    {
        await using var scenario = await ClientCredentialsScenario.StartAsync(configure: s => s["TokenProxy:Providers:oidc:Scopes:0"] = "email");

        using var response = await scenario.CreateAsync("robot", ["api:read", "profile"]);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        using var call = await scenario.CallAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("api:read profile", (await scenario.Server.IntrospectAsync(scenario.LastToken)).GetProperty("scope").GetString());
        Assert.Equal(["api:read", "profile"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Token_due_before_expiry_is_renewed_by_running_the_grant_again_on_request_and_in_the_background()
    {
        await using var scenario = await ClientCredentialsScenario.StartAsync(accessTokenSeconds: 120, fakeClock: true);
        var id = (await scenario.CreatedAsync()).GetProperty("id").GetString()!;
        (await scenario.CallAsync()).Dispose();
        var first = scenario.LastToken;

        scenario.Clock.Advance(TimeSpan.FromSeconds(50)); // 70 s left: outside the 1-minute skew
        (await scenario.CallAsync()).Dispose();
        var beforeDue = scenario.LastToken;
        scenario.Clock.Advance(TimeSpan.FromSeconds(15)); // 55 s left: due
        (await scenario.CallAsync()).Dispose();
        var renewed = scenario.LastToken;
        var grantsAfterRequest = await scenario.GrantsAsync();

        scenario.Clock.Advance(TimeSpan.FromSeconds(65)); // due again: the background pass renews it without a request
        var attempted = await scenario.Proxy.Services.GetRequiredService<BackgroundRefresher>().RunOnceAsync(jitter: false, CancellationToken.None);
        var connection = await scenario.ConnectionAsync(id);
        (await scenario.CallAsync()).Dispose();

        Assert.Equal(first, beforeDue);
        Assert.NotEqual(first, renewed);
        Assert.True(await scenario.Server.IsActiveAsync(renewed));
        Assert.Equal(2, grantsAfterRequest);
        Assert.Equal(1, attempted);
        Assert.Equal(3, await scenario.GrantsAsync());
        Assert.Equal(scenario.Clock.GetUtcNow(), connection.GetProperty("lastRefreshedAt").GetDateTimeOffset());
        Assert.Equal(scenario.Clock.GetUtcNow().AddSeconds(120), connection.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.NotEqual(renewed, scenario.LastToken);
    }

    [Fact]
    public async Task Upstream_401_runs_the_grant_once_for_many_concurrent_requests_and_each_is_replayed_with_the_new_token()
    {
        const int concurrent = 40;
        await using var scenario = await ClientCredentialsScenario.StartAsync();
        await scenario.CreatedAsync();
        (await scenario.CallAsync()).Dispose();
        var first = scenario.LastToken;
        scenario.RefuseOnceAllHoldIt(first, concurrent);

        var responses = await Task.WhenAll(Enumerable.Range(0, concurrent).Select(_ => scenario.CallAsync()));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(2, await scenario.GrantsAsync());
        var replayed = scenario.Api.Requests.Select(r => r.Header("Authorization")).Where(h => h != $"Bearer {first}").Distinct().ToList();
        var renewed = Assert.Single(replayed)!["Bearer ".Length..];
        Assert.True(await scenario.Server.IsActiveAsync(renewed));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    public static TheoryData<string, string?, string> Refusals => new()
    {
        // A scope the client may not ask for.
        { "invalid_scope", null, "api:admin" },
        // A wrong secret is not the grant's refusal but the provider's misconfiguration: see below.
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refused_grant_is_a_400_problem_with_the_oauth_error_and_stores_nothing(string error, string? wrongSecret, string scope)
    {
        await using var scenario = await ClientCredentialsScenario.StartAsync(configure: s =>
        {
            if (wrongSecret is not null)
            {
                s["TokenProxy:Providers:oidc:ClientSecret"] = wrongSecret;
            }
        });

        using var response = await scenario.CreateAsync("robot", [scope]);
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "grant_refused");

        Assert.Equal(error, problem.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("error_description").GetString()));
        Assert.Contains(error, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("[]", await scenario.Proxy.Client.GetStringAsync("/admin/api/connections"));
        Assert.Equal(1, await scenario.GrantsAsync());
        foreach (var secret in new[] { OidcProviderServer.ClientSecret, wrongSecret }.OfType<string>())
        {
            Canary.AssertAbsent(secret, problem.GetRawText(), "the problem");
            Canary.AssertAbsent(secret, scenario.Proxy.Logs.All, "logs");
        }
    }

    [Fact]
    public async Task The_grant_falls_back_to_the_next_client_secret_when_the_first_is_refused()
    {
        var wrong = Canary.New("wrongsecret");
        await using var scenario = await ClientCredentialsScenario.StartAsync(configure: s =>
        {
            s.Remove("TokenProxy:Providers:oidc:ClientSecret");
            s["TokenProxy:Providers:oidc:ClientSecrets:0"] = wrong;
            s["TokenProxy:Providers:oidc:ClientSecrets:1"] = OidcProviderServer.ClientSecret;
        });

        var created = await scenario.CreatedAsync();
        var second = await scenario.CreatedAsync("robot-2");
        var stats = await scenario.Server.StatsAsync();

        Assert.Equal("active", created.GetProperty("status").GetString());
        Assert.Equal("active", second.GetProperty("status").GetString());
        // The first grant tried the newest secret once; the second went straight to the one that worked.
        Assert.Equal(1, stats.GetProperty("invalid_client").GetInt32());
        Assert.Equal(3, await scenario.GrantsAsync());
        Canary.AssertAbsent(wrong, scenario.Proxy.Logs.All, "logs");
        Canary.AssertAbsent(OidcProviderServer.ClientSecret, scenario.Proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task A_grant_refused_for_every_client_secret_is_503_provider_misconfigured_and_stores_nothing()
    {
        var wrong = Canary.New("wrongsecret");
        await using var scenario = await ClientCredentialsScenario.StartAsync(configure: s => s["TokenProxy:Providers:oidc:ClientSecret"] = wrong);

        using var response = await scenario.CreateAsync("robot", ["api:read"]);
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "provider_misconfigured");

        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("[]", await scenario.Proxy.Client.GetStringAsync("/admin/api/connections"));
        Assert.Equal(1, await scenario.GrantsAsync());
        foreach (var secret in new[] { OidcProviderServer.ClientSecret, wrong })
        {
            Canary.AssertAbsent(secret, problem.GetRawText(), "the problem");
            Canary.AssertAbsent(secret, scenario.Proxy.Logs.All, "logs");
        }
    }
}
