using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>With <c>Admin:Token</c> set, a person signs in to the admin pages in a real Chromium and signs out again.</summary>
[Collection(SharedBrowser.Name)]
public sealed class SignInInBrowserTests(BrowserFixture browser)
{
    private const string AdminToken = "admin-token-for-browser-0123456789";

    [Fact]
    public async Task A_person_signs_in_with_the_admin_token_and_signing_out_locks_the_pages_again()
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["TokenProxy:Admin:Token"] = AdminToken });
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = proxy.Address.AbsoluteUri });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/admin/connections");
        await Expect(page).ToHaveURLAsync(new Uri(proxy.Address, "/admin/login").AbsoluteUri);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        await page.GetByLabel("Admin token").FillAsync(AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(proxy.Address, "/admin/connections").AbsoluteUri);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connections", Exact = true, Level = 1 })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(proxy.Address, "/admin/login").AbsoluteUri);
        await page.GotoAsync("/admin/providers");

        await Expect(page).ToHaveURLAsync(new Uri(proxy.Address, "/admin/login").AbsoluteUri);
        Assert.Empty(await context.CookiesAsync());
    }
}
