using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>
/// A person adds a custom OAuth provider on the providers page from what the provider's docs give, sees the redirect URI
/// to register, is shown every mistake beside the form, saves, and connects an account at a real authorization server
/// (oidc-provider) through it; the client secret is never shown again.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class AddProviderInBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_custom_provider_added_on_the_page_shows_its_redirect_uri_lists_every_problem_and_connects_once_saved()
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        await using var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc", accessTokenSeconds: 3600);
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["Urls"] = publicBase,
            ["TokenProxy:PublicBaseUrl"] = publicBase,
        });
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{publicBase}/admin/providers");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add a custom OAuth provider" }).ClickAsync();
        await page.Locator("#name").FillAsync("oidc");
        await Expect(page.Locator("[data-redirect-uri]")).ToHaveValueAsync($"{publicBase}/admin/callback/oidc");

        // Mistakes first: every one is listed, and nothing is stored.
        await page.Locator("#TokenUrl").FillAsync("not a url");
        await page.Locator("#ClientId").FillAsync(OidcProviderServer.ClientId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var errors = page.Locator("[data-errors] li");
        await Expect(errors.Filter(new() { HasText = "'not a url' is not an absolute http(s) URL" })).ToHaveCountAsync(1);
        await Expect(errors.Filter(new() { HasText = "ApiBaseUrl: is required" })).ToHaveCountAsync(1);
        await Expect(errors.Filter(new() { HasText = "needs AuthorizationUrl and TokenUrl" })).ToHaveCountAsync(1);
        using (var none = await proxy.Client.GetAsync("/admin/api/providers/oidc"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, none.StatusCode);
        }

        await page.Locator("#DisplayName").FillAsync("Example ID");
        await page.Locator("#TokenUrl").FillAsync(string.Empty);
        await page.Locator("#Issuer").FillAsync(server.IssuerText);
        await page.Locator("#ApiBaseUrl").FillAsync(server.IssuerText);
        await page.Locator("#ClientSecret").FillAsync(OidcProviderServer.ClientSecret);
        await page.Locator("#Scopes").FillAsync("openid email profile");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        try
        {
            await page.WaitForURLAsync($"{publicBase}/admin/providers#provider-oidc");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Not saved: {page.Url} {string.Join(" | ", await errors.AllInnerTextsAsync())}");
        }

        var card = page.Locator("section[data-provider=oidc]");
        await Expect(card.Locator("[data-fact=redirect-uri]")).ToHaveTextAsync($"{publicBase}/admin/callback/oidc");
        await card.GetByRole(AriaRole.Link, new() { Name = "Edit: Example ID" }).ClickAsync();
        await Expect(page.Locator("#ClientSecret")).ToHaveValueAsync(string.Empty);
        Assert.DoesNotContain(OidcProviderServer.ClientSecret, await page.ContentAsync(), StringComparison.Ordinal);

        await page.GotoAsync($"{publicBase}/admin/connect/oidc");
        await page.Locator("input[name=login]").FillAsync("dana");
        await page.Locator("input[name=password]").FillAsync("any-password");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.Locator("button[type=submit]").ClickAsync();

        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(publicBase)}/admin/connections/conn_"));
        await Expect(page.Locator(".status")).ToContainTextAsync("active");
        using var me = await proxy.Client.GetAsync("/oidc/me");
        me.EnsureSuccessStatusCode();
        Assert.DoesNotContain(OidcProviderServer.ClientSecret, proxy.Logs.All, StringComparison.Ordinal);
    }
}
