using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// Connecting in the browser to a provider whose API base is <c>{instance_url}/…</c>, filled from the token response
/// (docs/architecture.md §6, A1): a connect never ends as an active connection that cannot reach its API, and a token
/// response naming an origin outside <c>AllowedHosts</c> is a failed connect, not a new destination.
/// </summary>
public sealed class InstanceUrlConnectTests
{
    [Fact]
    public async Task A_connect_never_leaves_an_active_connection_that_cannot_call_the_api_at_the_instance_url_of_its_token_response()
    {
        await using var scenario = await StartAsync();
        var api = scenario.Api.Address;
        scenario.Authorization.Respond = (context, n) => context.Response.WriteAsJsonAsync(new
        {
            access_token = $"access-{n}", token_type = "Bearer", expires_in = 3600, instance_url = $"http://127.0.0.1:{api.Port}",
        });

        using (await CallbackAsync(scenario))
        {
        }

        // Refusing such a connect is also true to the contract; what may not happen is an active connection that cannot be used.
        var connections = await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections");
        foreach (var connection in connections.EnumerateArray().Where(c => c.GetProperty("status").GetString() == "active"))
        {
            using var call = await scenario.Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/acme/v62.0/sobjects")
            {
                Headers = { { "TokenProxy-Connection", connection.GetProperty("id").GetString() } },
            });
            Assert.True(call.StatusCode == HttpStatusCode.OK,
                $"the connection is active with parameters {connection.GetProperty("parameters")}, yet its request answered {(int)call.StatusCode}");
            Assert.Equal("/services/data/v62.0/sobjects", scenario.Api.Requests.Last().PathAndQuery);
        }
    }

    [Fact]
    public async Task A_token_response_naming_an_instance_url_outside_allowed_hosts_is_a_failed_connect()
    {
        await using var attacker = await RecordingUpstream.StartAsync();
        await using var scenario = await StartAsync();
        scenario.Authorization.Respond = (context, n) => context.Response.WriteAsJsonAsync(new
        {
            access_token = $"access-{n}", token_type = "Bearer", expires_in = 3600, instance_url = $"http://{attacker.Address.Authority}",
        });

        using (await CallbackAsync(scenario))
        {
        }

        var connections = await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections");
        using var call = await scenario.Proxy.Client.GetAsync("/acme/v62.0/sobjects");

        Assert.DoesNotContain(connections.EnumerateArray(), c => c.GetProperty("status").GetString() == "active");
        Assert.NotEqual(HttpStatusCode.OK, call.StatusCode);
        Assert.Empty(attacker.Requests);
        Assert.Empty(scenario.Api.Requests);
        // The operator is told why, not only that the connect failed: someone tried to point the API elsewhere.
        var warning = Assert.Single(scenario.Proxy.Logs.Lines, l => l.Contains("[1109]", StringComparison.Ordinal));
        Assert.StartsWith("Warning ", warning, StringComparison.Ordinal);
        Assert.Contains("outside the provider's AllowedHosts", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_connect_to_a_provider_needing_a_given_value_asks_for_it_and_leaves_no_connection()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
            settings["TokenProxy:Providers:acme:ApiBaseUrl"] = $"http://{{host}}:{api.Port}/";
            settings["TokenProxy:Providers:acme:AllowedHosts:0"] = $"127.0.0.1:{api.Port}";
            settings["TokenProxy:Providers:acme:Parameters:host:Pattern"] = @"^[0-9.]{1,15}\z";
            settings["TokenProxy:Providers:acme:Parameters:host:Label"] = "Acme host";
        });

        using var start = await scenario.Proxy.Client.GetAsync("/admin/connect/acme");
        var page = await start.Content.ReadAsStringAsync();
        var connections = await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections");

        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.Contains("Acme host", page, StringComparison.Ordinal);
        Assert.Contains("name=\"host\"", page, StringComparison.Ordinal);
        Assert.Empty(connections.EnumerateArray());
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    private static Task<RefreshScenario> StartAsync() => RefreshScenario.StartAsync(settings =>
    {
        var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
        settings["TokenProxy:Providers:acme:ApiBaseUrl"] = "{instance_url}/services/data";
        settings["TokenProxy:Providers:acme:AllowedHosts:0"] = $"127.0.0.1:{api.Port}";
        settings["TokenProxy:Providers:acme:Parameters:instance_url:FromTokenResponse"] = "true";
    });

    /// <summary>Runs the browser side of a connect: start, then the authorization server's redirect back.</summary>
    private static async Task<HttpResponseMessage> CallbackAsync(RefreshScenario scenario)
    {
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");
        return await browser.CallbackAsync("acme", ("code", "code-123"), ("state", authorize["state"]));
    }
}
