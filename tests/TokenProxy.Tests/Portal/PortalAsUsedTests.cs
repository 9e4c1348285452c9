using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Portal;

/// <summary>
/// The client portal as an agency and its client use it, beside the README's words: a short idle timeout the
/// settings allow, the reconnect the revoke dialog promises and
/// what pressing it again leaves behind, and a link checker's HEAD.
/// </summary>
public sealed partial class PortalAsUsedTests
{
    [Fact]
    public async Task A_session_used_every_half_minute_outlives_a_one_minute_idle_timeout()
    {
        // README: "It ends after Portal:SessionIdleTimeout unused"; 1 minute is the smallest timeout the settings allow.
        await using var portal = await PortalScenario.StartAsync([], settings =>
        {
            settings["TokenProxy:Portal:SessionIdleTimeout"] = "00:01:00";
            settings["TokenProxy:Portal:SessionLifetime"] = "01:00:00";
        });
        await portal.CreateWorkspaceAsync("acme");
        var cookie = await portal.EnterAsync("acme");
        var statuses = new List<HttpStatusCode>();

        for (var use = 0; use < 6; use++)
        {
            portal.Clock.Advance(TimeSpan.FromSeconds(30));
            using var response = await portal.GetAsync("/portal/connections", cookie);
            cookie = PortalScenario.CookieOf(response) ?? cookie;
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task A_connection_revoked_from_the_portal_offers_the_reconnect_its_dialog_promises()
    {
        // The dialog says "You can reconnect at any time from this page", and the revoked status says
        // "Reconnect to keep workflows running.": the page must then offer a way to reconnect.
        await using var portal = await PortalScenario.StartAsync([]);
        await portal.CreateWorkspaceAsync("acme");
        var mine = await portal.InsertAsync("acme", "mine-label");
        var cookie = await portal.EnterAsync("acme");
        var before = await (await portal.GetAsync($"/portal/connections/{mine}", cookie)).Content.ReadAsStringAsync();

        using var revoked = await portal.PostAsync($"/portal/connections/{mine}/revoke", cookie);
        var after = await (await portal.GetAsync($"/portal/connections/{mine}", cookie)).Content.ReadAsStringAsync();

        Assert.Contains("You can reconnect at any time from this page", before, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Contains("Reconnect to keep workflows running.", after, StringComparison.Ordinal);
        Assert.Matches(ReconnectControl(), after);
    }

    [Fact]
    public async Task A_link_checker_sending_head_to_a_valid_portal_link_is_not_told_it_does_not_exist()
    {
        // Mail systems and chat previews check links with HEAD before the person opens them (README: "the link
        // scanners of mail systems that open links"); connect links answer HEAD as GET does. A valid portal link must
        // not answer the 404 an unknown link gets.
        await using var portal = await PortalScenario.StartAsync([]);
        await portal.CreateWorkspaceAsync("acme");
        var link = new Uri(await portal.LinkAsync("acme")).PathAndQuery;

        using var head = await portal.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Head, link));
        using var get = await portal.Browser.GetAsync(link);

        Assert.Equal(HttpStatusCode.SeeOther, get.StatusCode);
        Assert.NotEqual(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Pressing_reconnect_again_leaves_one_outstanding_request_for_the_connection_not_one_per_press()
    {
        // A person presses Reconnect, turns back at the provider and presses it again: the Outstanding connection
        // requests panel (and the operator's list) should not fill with one more request per press.
        await using var portal = await PortalScenario.StartAsync([]);
        await portal.CreateWorkspaceAsync("acme");
        var mine = await portal.InsertAsync("acme", "mine-label", status: ConnectionStatus.Revoked, refreshToken: null);
        var cookie = await portal.EnterAsync("acme");

        for (var press = 0; press < 3; press++)
        {
            using var reconnect = await portal.PostAsync($"/portal/connections/{mine}/reconnect", cookie);
            Assert.Equal(HttpStatusCode.OK, reconnect.StatusCode);
        }

        var outstanding = (await portal.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests?workspace=acme&status=outstanding"))
            .EnumerateArray().Count(r => r.GetProperty("connection").GetString() == mine);
        Assert.Equal(1, outstanding);
    }

    /// <summary>A button or link whose text starts with "Reconnect".</summary>
    [GeneratedRegex(@"<(a|button)\b[^>]*>\s*Reconnect", RegexOptions.IgnoreCase)]
    private static partial Regex ReconnectControl();
}
