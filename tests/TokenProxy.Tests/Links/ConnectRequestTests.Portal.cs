using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace TokenProxy.Tests.Links;

/// <summary>Connect requests seen from the client portal: the outstanding ones are listed and connected there, and a link ends in the portal.</summary>
public abstract partial class ConnectRequestTests
{
    [Fact]
    public async Task The_portal_lists_only_its_workspaces_outstanding_requests_and_its_Connect_button_runs_the_links_flow_into_the_portal()
    {
        await using var scenario = await StartAsync();
        using var other = await scenario.Admin.PostAsJsonAsync("/admin/api/workspaces", new { id = "other-co", displayName = "Other Co" });
        var wanted = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "crm", message = "Please connect the CRM." });
        var cancelled = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "old" });
        var elsewhere = await scenario.CreateAsync(new { workspace = "other-co", provider = "acme", label = "theirs" });
        using var cancel = await scenario.Admin.DeleteAsync($"/admin/api/connect-requests/{Id(cancelled)}");
        using var portalLink = await scenario.Admin.PostAsJsonAsync("/admin/api/workspaces/acme-co/portal-links", new { });
        using var browser = scenario.Browser();

        using var enter = await browser.GetAsync(new Uri((await portalLink.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!).PathAndQuery);
        var listed = await PortalAsync(browser, HttpMethod.Get, "/portal/connections");
        using var foreign = await PortalSendAsync(browser, HttpMethod.Post, $"/portal/requests/{Id(elsewhere)}/connect");
        using var gone = await PortalSendAsync(browser, HttpMethod.Post, $"/portal/requests/{Id(cancelled)}/connect");
        var next = await PortalAsync(browser, HttpMethod.Post, $"/portal/requests/{Id(wanted)}/connect");
        var location = new Uri(JsonDocument.Parse(next).RootElement.GetProperty("location").GetString()!);
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", QueryHelpers.ParseQuery(location.Query)["state"].ToString()));
        var connection = Assert.Single(await scenario.ConnectionsAsync());
        var after = await PortalAsync(browser, HttpMethod.Get, "/portal/connections");

        Assert.Equal(HttpStatusCode.SeeOther, enter.StatusCode);
        Assert.Contains(Id(wanted), listed, StringComparison.Ordinal);
        Assert.Contains("Please connect the CRM.", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(Id(cancelled), listed, StringComparison.Ordinal);
        Assert.DoesNotContain(Id(elsewhere), listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(scenario.Authorization.Address.Authority, location.Authority);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        Assert.Equal($"/portal/connections/{Id(connection)}?connected=1", callback.Headers.Location!.OriginalString);
        Assert.Equal("crm", connection.GetProperty("label").GetString());
        Assert.Equal("connect_request", connection.GetProperty("origin").GetString());
        Assert.Equal("completed", (await scenario.RequestAsync(Id(wanted))).GetProperty("status").GetString());
        Assert.DoesNotContain(Id(wanted), after, StringComparison.Ordinal);
        Assert.Contains($"/portal/connections/{Id(connection)}", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_link_gives_the_browser_a_portal_session_for_the_requests_workspace_only()
    {
        await using var scenario = await StartAsync();
        using var browser = scenario.Browser();
        var link = LinkScenario.PathOf(await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "crm" }));
        var state = await LinkScenario.StartAsync(browser, link);

        using var before = await PortalSendAsync(browser, HttpMethod.Get, "/portal/connections");
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));
        var landing = await PortalAsync(browser, HttpMethod.Get, callback.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.Unauthorized, before.StatusCode);
        Assert.Contains("crm", landing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_connection_is_reconnected_from_the_portal_through_a_request_of_its_own_keeping_its_id()
    {
        await using var scenario = await StartAsync(settings =>
        {
            settings["TokenProxy:Providers:acme:Scopes:0"] = "read";
            settings["TokenProxy:Providers:acme:Scopes:1"] = "offline_access";
        });
        // Like oidc-provider, the server does not report offline_access among the granted scopes.
        scenario.Authorization.Respond = async (context, n) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"access_token":"access-{{n}}","refresh_token":"refresh-{{n}}","expires_in":3600,"token_type":"Bearer","scope":"read"}""");
        };
        using var browser = scenario.Browser();
        var link = LinkScenario.PathOf(await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "crm" }));
        using var first = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", await LinkScenario.StartAsync(browser, link)));
        var id = Id(Assert.Single(await scenario.ConnectionsAsync()));
        var landing = await PortalAsync(browser, HttpMethod.Get, first.Headers.Location!.OriginalString);
        await PortalAsync(browser, HttpMethod.Post, $"/portal/connections/{id}/revoke");
        var revokedPage = await PortalAsync(browser, HttpMethod.Get, $"/portal/connections/{id}");
        using var imported = await scenario.Admin.PostAsJsonAsync("/admin/api/connections", new { provider = "acme", label = "ops", workspace = "acme-co", accessToken = "CANARYops-access-0123456789" });
        using var notShown = await PortalSendAsync(browser, HttpMethod.Post, $"/portal/connections/{Id(await imported.Content.ReadFromJsonAsync<JsonElement>())}/reconnect");

        var next = new Uri(JsonDocument.Parse(await PortalAsync(browser, HttpMethod.Post, $"/portal/connections/{id}/reconnect")).RootElement.GetProperty("location").GetString()!);
        using var callback = await browser.CallbackAsync("acme", ("code", "code-2"), ("state", QueryHelpers.ParseQuery(next.Query)["state"].ToString()));
        var connection = (await scenario.ConnectionsAsync()).Single(c => Id(c) == id);
        var requests = (await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests?workspace=acme-co")).EnumerateArray().ToList();

        Assert.Contains("Connected.", landing, StringComparison.Ordinal);
        Assert.Contains("data-action=\"reconnect\"", revokedPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, notShown.StatusCode);
        Assert.Equal(scenario.Authorization.Address.Authority, next.Authority);
        Assert.Equal("read offline_access", QueryHelpers.ParseQuery(next.Query)["scope"].ToString());
        Assert.Equal($"/portal/connections/{id}?connected=1", callback.Headers.Location!.OriginalString);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("completed", r.GetProperty("status").GetString()));
        Assert.Contains(requests, r => r.TryGetProperty("connection", out var c) && c.GetString() == id);
    }

    private static string Id(JsonElement json) => json.GetProperty("id").GetString()!;

    private static async Task<string> PortalAsync(OAuth.ConnectFlow browser, HttpMethod method, string path)
    {
        using var response = await PortalSendAsync(browser, method, path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode}");
        return body;
    }

    private static Task<HttpResponseMessage> PortalSendAsync(OAuth.ConnectFlow browser, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd("text/html");
        if (method != HttpMethod.Get)
        {
            request.Headers.Add("TokenProxy-Csrf", "1");
        }

        return browser.SendAsync(request);
    }
}
