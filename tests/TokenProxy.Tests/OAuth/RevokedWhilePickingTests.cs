using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// A connect waiting for the person to pick a discovered site holds tokens in its pending record; revoking or deleting the
/// connection meanwhile ends that connect: the pick must not bring the connection back with new tokens.
/// </summary>
public sealed class RevokedWhilePickingTests
{
    private const string First = "11111111-1111-4111-8111-111111111111";
    private const string Second = "22222222-2222-4222-8222-222222222222";

    [Fact]
    public async Task A_pick_after_the_connection_was_revoked_is_refused_and_it_stays_revoked()
    {
        await using var scenario = await StartAsync();
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var key = await PickPageAsync(scenario, browser);
        var id = (await OnlyConnectionAsync(scenario)).GetProperty("id").GetString()!;

        using (var revoke = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke")))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using var pick = await browser.PostFormAsync("/admin/callback/acme/pick", ("pick", key), ("value", Second));

        Assert.Equal(HttpStatusCode.Conflict, pick.StatusCode);
        var connection = await OnlyConnectionAsync(scenario);
        Assert.Equal("revoked", connection.GetProperty("status").GetString());
        using var call = await scenario.Proxy.Client.GetAsync("/acme/rest/api/3/myself");
        Assert.NotEqual(HttpStatusCode.OK, call.StatusCode);
    }

    [Fact]
    public async Task A_pick_after_the_connection_was_deleted_is_refused_and_creates_nothing()
    {
        await using var scenario = await StartAsync();
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var key = await PickPageAsync(scenario, browser);
        var id = (await OnlyConnectionAsync(scenario)).GetProperty("id").GetString()!;

        using (var delete = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections/{id}")))
        {
            Assert.True(delete.IsSuccessStatusCode, $"{(int)delete.StatusCode}");
        }

        using var pick = await browser.PostFormAsync("/admin/callback/acme/pick", ("pick", key), ("value", Second));

        Assert.Equal(HttpStatusCode.Conflict, pick.StatusCode);
        Assert.Empty((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());
    }

    private static async Task<RefreshScenario> StartAsync()
    {
        var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
            settings["TokenProxy:Providers:acme:ApiBaseUrl"] = new Uri(api, "/ex/jira/{cloudId}").OriginalString;
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Pattern"] = @"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z";
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Discovery:Url"] = new Uri(api, "/oauth/token/accessible-resources").AbsoluteUri;
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Discovery:ValueField"] = "id";
        });
        scenario.Api.Respond = (context, request) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(request.PathAndQuery == "/oauth/token/accessible-resources"
                ? JsonSerializer.Serialize(new[] { new { id = First }, new { id = Second } })
                : """{"ok":true}""");
        };
        return scenario;
    }

    /// <summary>Connects until the site-pick page, and returns its pick key.</summary>
    private static async Task<string> PickPageAsync(RefreshScenario scenario, ConnectFlow browser)
    {
        var authorize = await browser.StartAsync("/admin/connect/acme");
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", authorize["state"]));
        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        return SiteDiscoveryConnectTests.PickKey(await callback.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> OnlyConnectionAsync(RefreshScenario scenario) =>
        Assert.Single((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());
}
