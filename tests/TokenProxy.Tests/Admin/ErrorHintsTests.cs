using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Admin;

/// <summary>
/// The operator's advice for a provider's error (<c>ErrorHints</c>, docs/architecture.md §7), shown on a
/// connection in error: on its JSON as <c>errorHint</c> and on its page, HTML-encoded.
/// </summary>
public sealed class ErrorHintsTests
{
    [Fact]
    public async Task A_connection_in_error_shows_the_hint_for_its_error_on_json_and_page()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            settings["TokenProxy:Providers:acme:ErrorHints:invalid_grant"] = "Connect again.";
            settings["TokenProxy:Providers:acme:ErrorHints:site admin must authorize"] = "Ask a <b>site admin</b> to approve the app & connect again.";
        });
        var siteAdmin = await scenario.ImportAsync(label: "site");
        var plain = await scenario.ImportAsync(label: "plain");
        Assert.Equal(JsonValueKind.Null, (await scenario.ConnectionAsync(siteAdmin)).GetProperty("errorHint").ValueKind);

        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new
        {
            error = "invalid_grant", error_description = "Your site admin must authorize this app for the site acme.atlassian.net.",
        });
        await RefreshAsync(scenario, siteAdmin);
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant", error_description = "Unknown or invalid refresh token." });
        await RefreshAsync(scenario, plain);

        var bySiteAdmin = await scenario.ConnectionAsync(siteAdmin);
        Assert.Equal("error", bySiteAdmin.GetProperty("status").GetString());
        // The description's phrase says more than the code, which both errors share.
        Assert.Equal("Ask a <b>site admin</b> to approve the app & connect again.", bySiteAdmin.GetProperty("errorHint").GetString());
        Assert.Equal("Connect again.", (await scenario.ConnectionAsync(plain)).GetProperty("errorHint").GetString());
        var page = await scenario.Proxy.Client.GetStringAsync($"/admin/connections/{siteAdmin}");
        Assert.Contains("<dt>What to do</dt><dd>Ask a &lt;b&gt;site admin&lt;/b&gt; to approve the app &amp; connect again.</dd>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>site admin</b>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_no_hint_matches_shows_none()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings => settings["TokenProxy:Providers:acme:ErrorHints:access_denied"] = "Consent was declined.");
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant" });

        await RefreshAsync(scenario, id);

        var connection = await scenario.ConnectionAsync(id);
        Assert.Equal("error", connection.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, connection.GetProperty("errorHint").ValueKind);
        Assert.DoesNotContain("What to do", await scenario.Proxy.Client.GetStringAsync($"/admin/connections/{id}"), StringComparison.Ordinal);
    }

    private static async Task RefreshAsync(RefreshScenario scenario, string id)
    {
        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }
}
