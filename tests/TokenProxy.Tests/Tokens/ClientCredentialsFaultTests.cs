using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// Client-credentials connections against a scripted token endpoint, for what the real server will not do on demand: the
/// exact form of the grant (scopes, audience, client authentication), a refusal on renewal, an outage, and requests the
/// admin API must refuse before it asks the provider for anything.
/// </summary>
public sealed class ClientCredentialsFaultTests
{
    private static void OffersClientCredentials(Dictionary<string, string?> settings)
    {
        settings["TokenProxy:Providers:acme:Auth"] = "ClientCredentials";
        settings["TokenProxy:Providers:acme:Scopes:0"] = "read";
        settings["TokenProxy:Providers:acme:Scopes:1"] = "write";
    }

    private static async Task<string> CreateAsync(RefreshScenario scenario, string label = "svc")
    {
        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new { provider = "acme", label }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private static Task<HttpResponseMessage> CallAsync(RefreshScenario scenario, string path = "/acme/a")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("TokenProxy-Connection", "svc");
        return scenario.Proxy.Client.SendAsync(request);
    }

    [Fact]
    public async Task Grant_carries_the_scopes_audience_and_client_authentication_configured_and_a_returned_refresh_token_is_never_used()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            OffersClientCredentials(settings);
            settings["TokenProxy:Providers:acme:TokenEndpointAuth"] = "client_secret_post";
            settings["TokenProxy:Providers:acme:TokenParameters:audience"] = "https://api.acme.example";
        });

        var id = await CreateAsync(scenario);
        using var first = await CallAsync(scenario);
        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        using var second = await CallAsync(scenario);
        var connection = await scenario.ConnectionAsync(id);

        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal(["Bearer access-1", "Bearer access-2"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(2, scenario.Authorization.Forms.Count);
        Assert.All(scenario.Authorization.Forms, form => Assert.Equal(
            new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["scope"] = "read write",
                ["audience"] = "https://api.acme.example",
                ["client_id"] = "test-client",
                ["client_secret"] = FakeAuthorizationServer.ClientSecret,
            },
            form));
        Assert.All(scenario.Authorization.ClientAuthorizations, a => Assert.True(string.IsNullOrEmpty(a)));
        Assert.Equal("clientcredentials", connection.GetProperty("credentialKind").GetString());
        var stored = await scenario.Service<TokenProxy.Vault.IConnectionStore>().GetAsync(id, CancellationToken.None);
        Assert.Null(stored!.RefreshToken);
    }

    [Fact]
    public async Task Refusal_on_renewal_turns_the_connection_to_error_with_the_oauth_error_and_a_manual_refresh_brings_it_back()
    {
        await using var scenario = await RefreshScenario.StartAsync(OffersClientCredentials, fakeClock: true);
        var id = await CreateAsync(scenario);
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "unauthorized_client", error_description = "Client authentication failed." });

        scenario.Clock.Advance(TimeSpan.FromHours(1));
        using var refused = await CallAsync(scenario);
        var problem = await Problems.AssertProblemAsync(refused, HttpStatusCode.Unauthorized, "reconnect_required");
        var failed = await scenario.ConnectionAsync(id);
        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens();
        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        using var after = await CallAsync(scenario);

        Assert.Contains($"/admin/connections/{id}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(problem.TryGetProperty("connect_url", out _));
        Assert.Equal("error", failed.GetProperty("status").GetString());
        Assert.Equal("unauthorized_client", failed.GetProperty("lastError").GetProperty("code").GetString());
        Assert.Equal("Client authentication failed.", failed.GetProperty("lastError").GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal("active", (await scenario.ConnectionAsync(id)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("Bearer access-3", scenario.Api.Requests.Last().Header("Authorization"));
        Assert.Equal(3, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Token_endpoint_outage_keeps_the_connection_active_and_its_token_in_use_while_it_lasts()
    {
        await using var scenario = await RefreshScenario.StartAsync(OffersClientCredentials, fakeClock: true);
        var id = await CreateAsync(scenario);
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(503, retryAfter: "30");

        scenario.Clock.Advance(TimeSpan.FromSeconds(3570)); // due, not expired
        using var whileValid = await CallAsync(scenario, "/acme/a");
        scenario.Clock.Advance(TimeSpan.FromSeconds(60)); // expired
        using var expired = await CallAsync(scenario, "/acme/b");
        await Problems.AssertProblemAsync(expired, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        using var manual = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        var connection = await scenario.ConnectionAsync(id);

        Assert.Equal(HttpStatusCode.OK, whileValid.StatusCode);
        Assert.Equal("Bearer access-1", Assert.Single(scenario.Api.Requests).Header("Authorization"));
        Assert.NotNull(expired.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.BadGateway, manual.StatusCode);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal("http_503", connection.GetProperty("lastError").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Create_refuses_what_it_cannot_do_with_a_problem_before_asking_the_provider_and_stores_nothing_when_the_provider_is_down()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            OffersClientCredentials(settings);
            settings["TokenProxy:Providers:plain:ApiBaseUrl"] = "https://plain.example/";
            settings["TokenProxy:Providers:unset:ApiBaseUrl"] = "https://unset.example/";
            settings["TokenProxy:Providers:unset:TokenUrl"] = "https://unset.example/token";
            settings["TokenProxy:Providers:unset:Auth"] = "ClientCredentials";
        });
        async Task<JsonElement> Refused(object body, HttpStatusCode status, string code)
        {
            using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", body));
            return await Problems.AssertProblemAsync(response, status, code);
        }

        var unknown = await Refused(new { provider = "nosuch", label = "svc" }, HttpStatusCode.BadRequest, "invalid_request");
        var notOffered = await Refused(new { provider = "plain", label = "svc" }, HttpStatusCode.BadRequest, "invalid_request");
        var notSetUp = await Refused(new { provider = "unset", label = "svc" }, HttpStatusCode.BadRequest, "invalid_request");
        var badLabel = await Refused(new { provider = "acme", label = "bad label!" }, HttpStatusCode.BadRequest, "invalid_request");
        var lifetime = await Refused(new { provider = "acme", label = "svc", expiresIn = 60 }, HttpStatusCode.BadRequest, "invalid_request");
        var callsBefore = scenario.Authorization.Calls;
        await CreateAsync(scenario);
        var duplicate = await Refused(new { provider = "acme", label = "svc" }, HttpStatusCode.Conflict, "label_taken");
        var callsAfterDuplicate = scenario.Authorization.Calls;
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(503, retryAfter: "30");
        var down = await Refused(new { provider = "acme", label = "other" }, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");

        Assert.True(unknown.GetProperty("errors").TryGetProperty("provider", out _));
        Assert.Contains("does not take client credentials", notOffered.GetProperty("errors").GetProperty("credential")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("ClientId", notSetUp.GetProperty("errors").GetProperty("provider")[0].GetString(), StringComparison.Ordinal);
        Assert.True(badLabel.GetProperty("errors").TryGetProperty("label", out _));
        Assert.True(lifetime.GetProperty("errors").TryGetProperty("expiresIn", out _));
        Assert.Equal(0, callsBefore);
        Assert.Contains("svc", duplicate.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, callsAfterDuplicate);
        Assert.True(down.GetProperty("transient").GetBoolean());
        Assert.Single((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());
    }
}
