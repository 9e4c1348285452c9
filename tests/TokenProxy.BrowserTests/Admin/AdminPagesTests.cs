using System.Text.Json;
using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>The admin pages in a real Chromium: what a person sees and clicks.</summary>
[Collection(SharedBrowser.Name)]
public sealed class AdminPagesTests(BrowserFixture browser) : IAsyncLifetime
{
    private RefreshScenario _scenario = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _scenario = await RefreshScenario.StartAsync();
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _scenario.Proxy.Address.AbsoluteUri });
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task Empty_list_explains_how_connections_appear()
    {
        await _page.GotoAsync("/admin/connections");

        await Expect(_page.GetByText("No connections yet")).ToBeVisibleAsync();
        await Expect(_page.GetByText("A connection appears here when someone connects an account")).ToBeVisibleAsync();
        await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "Connect", Exact = true })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Filtering_by_workspace_and_end_user_offers_a_reset_that_revokes_and_deletes_their_connections()
    {
        using (var created = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "acme-co" })))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        }

        foreach (var endUser in new[] { "alice", "bob" })
        {
            using var imported = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new
            {
                provider = "acme", workspace = "acme-co", endUser = new { id = endUser }, accessToken = $"access-{endUser}", refreshToken = $"refresh-{endUser}",
            }));
            Assert.Equal(System.Net.HttpStatusCode.Created, imported.StatusCode);
        }

        await _page.GotoAsync("/admin/connections");
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Reset this end user's credentials" })).ToHaveCountAsync(0);
        await _page.GetByLabel("Workspace").FillAsync("acme-co");
        await _page.GetByLabel("End user").FillAsync("alice");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(_page.Locator("tbody tr")).ToHaveCountAsync(1);
        _page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Reset this end user's credentials" }).ClickAsync();

        await Expect(_page.GetByText("No connections match")).ToBeVisibleAsync();
        Assert.Equal(["refresh-alice", "access-alice"], _scenario.Authorization.Revocations.Select(f => f["token"]));
        var left = await _scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections");
        Assert.Equal("bob", Assert.Single(left.EnumerateArray()).GetProperty("endUser").GetProperty("id").GetString());
    }

    [Fact]
    public async Task List_shows_every_connection_with_its_status_badge_and_a_manage_link()
    {
        await _scenario.ImportAsync(label: "work");
        var broken = await _scenario.ImportAsync(label: "broken");
        var gone = await _scenario.ImportAsync(label: "gone");
        _scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant"}""");
        await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{broken}/refresh"));
        await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{gone}/revoke"));
        await _scenario.Proxy.Client.GetAsync("/admin/connect/acme?label=new"); // a started connect: a pending connection
        await _page.GotoAsync("/admin/connections");

        var rows = _page.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(4);
        await Expect(_page.Locator("thead th")).ToHaveTextAsync(["App", "Label", "Workspace", "End user", "Status", "Actions"]);
        await Expect(Row("work")).ToContainTextAsync("active");
        await Expect(Row("broken")).ToContainTextAsync("error");
        await Expect(Row("broken")).ToContainTextAsync("Reconnection needed.");
        await Expect(Row("gone")).ToContainTextAsync("revoked");
        await Expect(Row("new")).ToContainTextAsync("pending");
        await Expect(Row("work").GetByRole(AriaRole.Link, new() { Name = "Manage acme work" })).ToBeVisibleAsync();
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "connections.png"), FullPage = true });
    }

    [Fact]
    public async Task Manage_opens_the_connection_with_its_details()
    {
        await _scenario.ImportAsync(label: "work");
        await _page.GotoAsync("/admin/connections");

        await Row("work").GetByRole(AriaRole.Link, new() { Name = "Manage acme work" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "acme work" })).ToBeVisibleAsync();
        await Expect(_page.Locator(".facts")).ToContainTextAsync("Expires");
        await Expect(_page.Locator(".status")).ToContainTextAsync("active");
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Refresh credential" })).ToBeVisibleAsync();
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "connection.png"), FullPage = true });
    }

    [Fact]
    public async Task Refresh_success_shows_a_toast_and_the_new_status()
    {
        var id = await _scenario.ImportAsync(label: "work");
        await _page.GotoAsync($"/admin/connections/{id}");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Refresh credential" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Connection refreshed.");
        await Expect(_page.Locator(".status")).ToContainTextAsync("active");
        await Expect(_page.Locator(".facts")).ToContainTextAsync("Last refreshed");
        Assert.Equal(1, _scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Refresh_failure_says_to_reconnect_and_offers_it()
    {
        var id = await _scenario.ImportAsync(label: "work");
        _scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant"}""");
        await _page.GotoAsync($"/admin/connections/{id}");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Refresh credential" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync("Failed to refresh connection.");
        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync("You may need to reconnect.");
        await Expect(_page.Locator(".status")).ToContainTextAsync("Reconnection needed.");
        var reconnect = _page.Locator("[data-action=reconnect]");
        await Expect(reconnect).ToBeVisibleAsync();
        await Expect(reconnect).ToHaveAttributeAsync("href", $"/admin/connect/acme?connection={id}");
    }

    [Fact]
    public async Task Connection_without_a_refresh_token_explains_how_to_reconnect_instead()
    {
        var id = await _scenario.ImportAsync(label: "pat", refresh: null);
        await _page.GotoAsync($"/admin/connections/{id}");

        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Refresh credential" })).ToHaveCountAsync(0);
        await Expect(_page.GetByText("cannot be refreshed automatically")).ToBeVisibleAsync();
        await Expect(_page.Locator("[data-action=reconnect]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Revoke_asks_first_keep_changes_nothing_and_confirm_revokes()
    {
        var id = await _scenario.ImportAsync(label: "work");
        await _page.GotoAsync($"/admin/connections/{id}");
        var dialog = _page.GetByRole(AriaRole.Dialog, new() { Name = "Revoke this connection?" });

        await _page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("Apps using it will fail until it is reconnected.");
        // Focus moves into the dialog, on the safe choice.
        Assert.Equal("Keep connection", await _page.EvaluateAsync<string>("document.activeElement.textContent"));
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Keep connection" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal("active", (await ConnectionAsync(id)).GetProperty("status").GetString());

        await _page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await _page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke connection" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Connection revoked.");
        await Expect(_page.Locator(".status")).ToContainTextAsync("revoked");
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true })).ToHaveCountAsync(0);
        Assert.Equal("revoked", (await ConnectionAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Pages_use_no_third_party_resource_and_show_no_token()
    {
        var id = await _scenario.ImportAsync(access: "CANARYpageaccess0123456789abcdef", label: "work");
        var requests = new List<string>();
        _page.Request += (_, request) => requests.Add(request.Url);

        await _page.GotoAsync("/admin/connections");
        var list = await _page.ContentAsync();
        await _page.GotoAsync($"/admin/connections/{id}");
        var detail = await _page.ContentAsync();

        Assert.All(requests, url => Assert.StartsWith(_scenario.Proxy.Address.AbsoluteUri, url, StringComparison.Ordinal));
        Assert.DoesNotContain("CANARYpageaccess", list + detail, StringComparison.Ordinal);
    }

    private ILocator Row(string label) => _page.Locator("tbody tr").Filter(new() { Has = _page.Locator($"td:nth-child(2):text-is('{label}')") });

    private async Task<JsonElement> ConnectionAsync(string id) =>
        await _scenario.Proxy.Client.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{id}");
}
