using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>A person clicks Connect, signs in at a real authorization server (oidc-provider), and lands on the new connection.</summary>
[Collection(SharedBrowser.Name)]
public sealed class ConnectInBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Connect_button_completes_the_flow_and_lands_on_the_new_connection()
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        await using var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc", accessTokenSeconds: 3600);
        var settings = server.Provider("oidc");
        settings["Urls"] = publicBase;
        settings["TokenProxy:PublicBaseUrl"] = publicBase;
        settings["TokenProxy:Providers:oidc:DisplayName"] = "Example ID";
        await using var proxy = await ProxyHost.StartAsync(settings);
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{publicBase}/admin/connections");
        await page.Locator(".providers li").Filter(new() { HasText = "Example ID" }).GetByRole(AriaRole.Link, new() { Name = "Connect" }).ClickAsync();
        // oidc-provider's own sign-in and consent pages.
        await page.Locator("input[name=login]").FillAsync("dana");
        await page.Locator("input[name=password]").FillAsync("any-password");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.Locator("button[type=submit]").ClickAsync();

        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(publicBase)}/admin/connections/conn_"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Connected. Apps can use this connection now.");
        await Expect(page.Locator(".status")).ToContainTextAsync("active");
        await Expect(page.Locator(".facts")).ToContainTextAsync("dana@example.com");
        Assert.DoesNotContain("code=", page.Url, StringComparison.Ordinal);
        using var me = await proxy.Client.GetAsync("/oidc/me");
        me.EnsureSuccessStatusCode();
    }
}
