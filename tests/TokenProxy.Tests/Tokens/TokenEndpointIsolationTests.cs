using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// The circuit breaker and concurrency cap belong to a resolved token endpoint, not to a provider (docs/architecture.md §5):
/// with a templated <c>TokenUrl</c>, one tenant's outage must not pause another tenant's refreshes.
/// </summary>
public sealed class TokenEndpointIsolationTests
{
    [Fact]
    public async Task One_tenants_failing_token_endpoint_opens_its_own_circuit_and_another_tenant_of_the_provider_still_refreshes()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var token = new Uri(settings["TokenProxy:Providers:acme:TokenUrl"]!);
            settings["TokenProxy:Providers:acme:TokenUrl"] = $"http://{{host}}:{token.Port}/token";
            settings["TokenProxy:Providers:acme:AllowedHosts:0"] = $"127.0.0.1:{token.Port}";
            settings["TokenProxy:Providers:acme:AllowedHosts:1"] = $"localhost:{token.Port}";
            settings["TokenProxy:Providers:acme:Parameters:host:Pattern"] = @"^[0-9a-z.]{1,15}\z";
        });
        // The same server under two names: the "localhost" tenant's endpoint is down, the "127.0.0.1" tenant's answers.
        var healthy = FakeAuthorizationServer.IssueTokens();
        var down = FakeAuthorizationServer.Answer(503);
        scenario.Authorization.Respond = (context, n) => context.Request.Host.Host == "localhost" ? down(context, n) : healthy(context, n);
        var failing = await ImportAsync(scenario, "localhost");
        var working = await ImportAsync(scenario, "127.0.0.1");

        // Each refresh makes three attempts (two retries): two refreshes reach the breaker's minimum throughput, all failed.
        for (var i = 0; i < 2; i++)
        {
            using var failed = await RefreshAsync(scenario, failing);
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        using var paused = await RefreshAsync(scenario, failing);
        var pausedBody = await paused.Content.ReadAsStringAsync();
        Assert.Contains("circuit_open", pausedBody, StringComparison.Ordinal);
        Assert.Contains($"http://localhost:{scenario.Authorization.Address.Port}/token", pausedBody, StringComparison.Ordinal);

        using var refreshed = await RefreshAsync(scenario, working);
        Assert.True(refreshed.StatusCode == HttpStatusCode.OK, await refreshed.Content.ReadAsStringAsync());
    }

    private static async Task<string> ImportAsync(RefreshScenario scenario, string host)
    {
        using var import = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new
        {
            provider = "acme", label = host, accessToken = "stale", refreshToken = "refresh-0", expiresIn = 3600,
            parameters = new Dictionary<string, string> { ["host"] = host },
        }));
        Assert.True(import.StatusCode == HttpStatusCode.Created, await import.Content.ReadAsStringAsync());
        return (await import.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static Task<HttpResponseMessage> RefreshAsync(RefreshScenario scenario, string id) =>
        scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
}
