using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Portal;
using TokenProxy.Vault;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Portal;

/// <summary>
/// The client portal in a real Chromium, entered by a portal link with <c>Admin:Token</c> set and no admin access: what a
/// client sees of their workspace, and refreshing and revoking a connection.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class PortalPagesTests(BrowserFixture browser) : IAsyncLifetime
{
    private PortalScenario _portal = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _portal = await PortalScenario.StartAsync([]);
        await _portal.CreateWorkspaceAsync("acme");
        await _portal.CreateWorkspaceAsync("globex");
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _portal.Proxy.Address.AbsoluteUri });
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _portal.DisposeAsync();
    }

    private async Task EnterAsync(string workspace = "acme") =>
        await _page.GotoAsync(new Uri(await _portal.LinkAsync(workspace)).PathAndQuery);

    private ILocator Row(string label) => _page.Locator("tbody tr", new() { Has = _page.GetByRole(AriaRole.Cell, new() { Name = label, Exact = true }) });

    [Fact]
    public async Task The_link_opens_a_list_of_the_workspaces_own_connections_with_their_statuses()
    {
        await _portal.InsertAsync("acme", "sales");
        await _portal.InsertAsync("acme", "support", status: ConnectionStatus.Error);
        await _portal.InsertAsync("acme", "operator-only", ConnectionOrigin.Operator);
        await _portal.InsertAsync("globex", "theirs");

        await EnterAsync();

        Assert.EndsWith("/portal/connections", _page.Url, StringComparison.Ordinal);
        await Expect(_page.Locator("thead th")).ToHaveTextAsync(["App", "Label", "Status", "Actions"]);
        await Expect(_page.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(Row("sales")).ToContainTextAsync("active");
        await Expect(Row("support")).ToContainTextAsync("Reconnection needed.");
        await Expect(Row("sales").GetByRole(AriaRole.Link, new() { Name = "Manage" })).ToBeVisibleAsync();
        await Expect(_page.GetByText("operator-only")).ToHaveCountAsync(0);
        await Expect(_page.GetByText("theirs")).ToHaveCountAsync(0);
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "portal-connections.png"), FullPage = true });
    }

    [Fact]
    public async Task A_workspace_without_connections_of_its_own_shows_the_empty_state()
    {
        await EnterAsync();

        await Expect(_page.GetByText("No connections yet")).ToBeVisibleAsync();
        await Expect(_page.GetByText("When your team asks you to connect an app, it will show up here.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Manage_shows_the_connection_and_refresh_shows_its_toast()
    {
        await _portal.InsertAsync("acme", "sales");
        await EnterAsync();

        await Row("sales").GetByRole(AriaRole.Link, new() { Name = "Manage" }).ClickAsync();
        await Expect(_page.Locator(".facts")).ToContainTextAsync("sales@client.example");
        await Expect(_page.Locator(".facts")).ToContainTextAsync("Last refreshed");
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "portal-connection.png"), FullPage = true });
        await _page.GetByRole(AriaRole.Button, new() { Name = "Refresh credential" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Connection refreshed.");
        Assert.Equal(1, _portal.Authorization.Calls);
    }

    [Fact]
    public async Task A_failed_refresh_says_so_and_a_connection_that_cannot_refresh_says_whom_to_contact()
    {
        var id = await _portal.InsertAsync("acme", "sales");
        var stuck = await _portal.InsertAsync("acme", "stuck", refreshToken: null);
        _portal.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant"}""");
        await EnterAsync();

        await _page.GotoAsync($"/portal/connections/{id}");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Refresh credential" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync("Failed to refresh connection");
        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync("You may need to reconnect.");
        await Expect(_page.Locator(".status")).ToContainTextAsync("Reconnection needed.");
        await _page.GotoAsync($"/portal/connections/{stuck}");

        await Expect(_page.GetByText("Contact your agency if this integration needs to be reconnected.")).ToBeVisibleAsync();
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Refresh credential" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Revoke_asks_in_the_dialog_then_revokes_and_offers_no_second_revoke()
    {
        var id = await _portal.InsertAsync("acme", "sales");
        await EnterAsync();
        await _page.GotoAsync($"/portal/connections/{id}");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        var dialog = _page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Revoke this connection?");
        await Expect(dialog).ToContainTextAsync("Workflows that depend on this credential will pause until you (or another team member) reconnect it. You can reconnect at any time from this page or from a future request email.");
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "portal-revoke-dialog.png"), FullPage = true });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Keep connection" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal("active", (await _portal.ConnectionAsync(id)).GetProperty("status").GetString());
        await _page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke connection" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync("Connection revoked.");
        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync("Workflows using this connection will pause until reconnected.");
        await Expect(_page.Locator(".status")).ToContainTextAsync("This connection was revoked. Reconnect to keep workflows running.");
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true })).ToHaveCountAsync(0);
        Assert.Equal("revoked", (await _portal.ConnectionAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Without_a_session_the_portal_asks_for_the_link_and_never_sends_to_the_admin_login()
    {
        await _page.GotoAsync("/portal/connections");

        Assert.EndsWith("/portal/connections", _page.Url, StringComparison.Ordinal);
        await Expect(_page.GetByText("Open the link your agency sent you again")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_form_on_another_site_cannot_revoke_a_connection()
    {
        var id = await _portal.InsertAsync("acme", "sales");
        await EnterAsync();
        await using var site = await LoopbackServer.StartAsync(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync(
                $"<form method=post action=\"{_portal.Proxy.Address.AbsoluteUri}portal/connections/{id}/revoke\"><button>Win a prize</button></form>");
        });

        await _page.GotoAsync(site.Address.AbsoluteUri.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        var answer = await _page.RunAndWaitForResponseAsync(() => _page.GetByRole(AriaRole.Button, new() { Name = "Win a prize" }).ClickAsync(),
            response => response.Url.Contains("/revoke", StringComparison.Ordinal));

        Assert.InRange(answer.Status, 401, 403);
        Assert.Equal("active", (await _portal.ConnectionAsync(id)).GetProperty("status").GetString());
    }
}
