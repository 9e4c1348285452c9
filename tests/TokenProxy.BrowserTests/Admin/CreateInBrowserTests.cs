using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>
/// A client-credentials connection made from the providers page in a real Chromium, against the real oidc-provider: the
/// form asks for a label and scopes only, the proxy runs the grant, and the API then receives the token the provider
/// issued for those scopes; a refused grant shows the provider's error and stores nothing.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class CreateInBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private ClientCredentialsScenario _scenario = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ClientCredentialsScenario.StartAsync(configure: s => s["TokenProxy:Providers:oidc:DisplayName"] = "Billing");
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _scenario.Proxy.Address.AbsoluteUri });
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task Connection_created_from_the_providers_page_gets_the_token_the_provider_issued_for_its_scopes()
    {
        await _page.GotoAsync("/admin/providers");
        var card = _page.Locator("[data-provider=oidc]");
        await Expect(card.Locator("[data-fact=kinds]")).ToContainTextAsync("Client credentials");

        await card.GetByRole(AriaRole.Link, new() { Name = "Create client-credentials connection: Billing" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Create a client-credentials connection for Billing" })).ToBeVisibleAsync();
        await Expect(_page.GetByLabel("Scopes", new() { Exact = true })).ToHaveValueAsync("api:read");
        Assert.Equal(0, await _page.Locator("input[type=password]").CountAsync());
        await _page.GetByLabel("Label", new() { Exact = true }).FillAsync("robot");
        await _page.GetByLabel("Scopes", new() { Exact = true }).FillAsync("api:read  profile");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Created with a first token. Apps can use this connection now.");
        await Expect(_page.Locator(".facts")).ToContainTextAsync("Client credentials");
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Refresh credential" })).ToBeVisibleAsync();
        await Expect(_page.Locator("[data-action=reconnect]")).ToHaveCountAsync(0);
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "client-credentials-created.png"), FullPage = true });
        using var response = await _scenario.CallAsync();

        response.EnsureSuccessStatusCode();
        Assert.Equal("api:read profile", (await _scenario.Server.IntrospectAsync(_scenario.LastToken)).GetProperty("scope").GetString());
        Canary.AssertAbsent(_scenario.LastToken, await _page.ContentAsync(), "the connection page");
    }

    [Fact]
    public async Task Refused_grant_shows_the_providers_error_and_stores_nothing()
    {
        await _page.GotoAsync("/admin/providers/oidc/import?kind=clientcredentials");

        await _page.GetByLabel("Scopes", new() { Exact = true }).FillAsync("api:admin");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Alert)).ToContainTextAsync("invalid_scope");
        Assert.EndsWith("/admin/providers/oidc/import?kind=clientcredentials", _page.Url, StringComparison.Ordinal);
        Assert.Equal("[]", await _scenario.Proxy.Client.GetStringAsync("/admin/api/connections"));
    }
}
