using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// A provider whose <c>TokenUrl</c> has a placeholder, with an imported connection holding a refresh token
/// (docs/architecture.md §6, A1): what the connection says about itself (<c>canRefresh</c>) agrees with what a refresh
/// does, and a refusal never claims the refresh token is missing when it is stored.
/// </summary>
public sealed class TemplatedTokenUrlTests
{
    [Fact]
    public async Task Can_refresh_agrees_with_a_refresh_of_an_imported_connection_to_a_provider_with_a_templated_token_url()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
            var token = new Uri(settings["TokenProxy:Providers:acme:TokenUrl"]!);
            settings["TokenProxy:Providers:acme:ApiBaseUrl"] = $"http://{{host}}:{api.Port}/";
            settings["TokenProxy:Providers:acme:TokenUrl"] = $"http://{{host}}:{token.Port}/token";
            settings["TokenProxy:Providers:acme:AllowedHosts:0"] = $"127.0.0.1:{api.Port}";
            settings["TokenProxy:Providers:acme:AllowedHosts:1"] = $"127.0.0.1:{token.Port}";
            settings["TokenProxy:Providers:acme:Parameters:host:Pattern"] = @"^[0-9.]{1,15}\z";
        });
        using var import = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new
        {
            provider = "acme", accessToken = "stale", refreshToken = "refresh-0", expiresIn = 3600,
            parameters = new Dictionary<string, string> { ["host"] = "127.0.0.1" },
        }));
        Assert.True(import.StatusCode == HttpStatusCode.Created, await import.Content.ReadAsStringAsync());
        var created = await import.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString();

        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        var body = await refresh.Content.ReadAsStringAsync();

        var canRefresh = created.GetProperty("canRefresh").GetBoolean();
        Assert.True(canRefresh == (refresh.StatusCode != HttpStatusCode.Conflict),
            $"canRefresh is {canRefresh}, and the refresh answered {(int)refresh.StatusCode}: {body}");
        Assert.DoesNotContain("holds no refresh token", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_credentials_with_a_templated_token_url_are_requested_at_the_given_host_and_a_host_outside_allowed_hosts_gets_nothing_sent()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var token = new Uri(settings["TokenProxy:Providers:acme:TokenUrl"]!);
            settings["TokenProxy:Providers:acme:Auth"] = "ClientCredentials";
            settings["TokenProxy:Providers:acme:TokenUrl"] = $"http://{{host}}:{token.Port}/token";
            settings["TokenProxy:Providers:acme:AllowedHosts:0"] = $"127.0.0.1:{token.Port}";
            settings["TokenProxy:Providers:acme:Parameters:host:Pattern"] = @"^[0-9.]{1,15}\z";
        });

        using var outside = await CreateAsync(scenario, "outside", "10.0.0.1");
        var refused = await Problems.AssertProblemAsync(outside, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.True(refused.GetProperty("errors").TryGetProperty("parameters.host", out _), refused.ToString());

        using var created = await CreateAsync(scenario, "robot", "127.0.0.1");
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var connection = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("clientcredentials", connection.GetProperty("credentialKind").GetString());
        Assert.Equal("127.0.0.1", connection.GetProperty("parameters").GetProperty("host").GetString());
        Assert.Equal("client_credentials", Assert.Single(scenario.Authorization.Forms)["grant_type"]);

        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{connection.GetProperty("id").GetString()}/refresh"));
        Assert.True(refresh.StatusCode == HttpStatusCode.OK, await refresh.Content.ReadAsStringAsync());
        Assert.Equal(2, scenario.Authorization.Calls);
    }

    private static Task<HttpResponseMessage> CreateAsync(RefreshScenario scenario, string label, string host) =>
        scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new
        {
            provider = "acme", label, parameters = new Dictionary<string, string> { ["host"] = host },
        }));
}
