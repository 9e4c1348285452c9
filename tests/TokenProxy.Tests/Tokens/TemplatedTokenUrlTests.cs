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
}
