using Microsoft.Playwright;
using TokenProxy.Tests.Portal;
using TokenProxy.Vault;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Portal;

/// <summary>The portal's connection page: Test connection shows the provider's answer in words; scopes an API asked for come with Reconnect.</summary>
[Collection(SharedBrowser.Name)]
public sealed class PortalTestAndScopesTests(BrowserFixture browser) : IAsyncLifetime
{
    private PortalScenario _portal = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _portal = await PortalScenario.StartAsync([], settings => settings["TokenProxy:Providers:acme:TestPath"] = "/v1/ping");
        await _portal.CreateWorkspaceAsync("acme");
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _portal.Proxy.Address.AbsoluteUri });
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Test_connection_shows_what_the_provider_answered()
    {
        var id = await _portal.InsertAsync("acme", "sales");
        _portal.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        };
        await _page.GotoAsync(new Uri(await _portal.LinkAsync("acme")).PathAndQuery);
        await _page.GotoAsync($"/portal/connections/{id}");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();

        await Expect(_page.Locator("#test-result")).ToHaveTextAsync("acme failed (500); the credentials were not judged. Try again later.");
        Assert.Equal("/v1/ping", Assert.Single(_portal.Api.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Scopes_an_api_asked_for_are_shown_with_reconnect()
    {
        var id = await _portal.InsertAsync("acme", "sales");
        var store = _portal.Service<IConnectionStore>();
        var row = (await store.GetAsync(id, CancellationToken.None))!;
        Assert.NotNull(await store.TryUpdateAsync(row with { RequiredScopes = ["api:read"] }, CancellationToken.None));
        await _page.GotoAsync(new Uri(await _portal.LinkAsync("acme")).PathAndQuery);

        await _page.GotoAsync($"/portal/connections/{id}");

        await Expect(_page.Locator("#scopes-required")).ToContainTextAsync("acme needs access this connection was not granted (api:read). Reconnect to grant it.");
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Reconnect" })).ToBeVisibleAsync();
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "portal-scopes-required.png"), FullPage = true });
    }
}
