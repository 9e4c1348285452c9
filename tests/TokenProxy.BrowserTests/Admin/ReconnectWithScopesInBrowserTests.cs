using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>
/// The connection page's "Reconnect with scopes" form is answered by a redirect to the provider: the page's CSP
/// <c>form-action</c> must allow that origin, or Chromium stops the navigation (CSP Level 3 §6.4.1).
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class ReconnectWithScopesInBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Reconnect_with_scopes_reaches_the_provider_and_completes_on_the_same_connection()
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
        var blocked = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                blocked.Add(message.Text);
            }
        };
        var connectionPage = new Regex($"^{Regex.Escape(publicBase)}/admin/connections/(conn_[^?]+)");

        await page.GotoAsync($"{publicBase}/admin/connect/oidc");
        await SignInAsync(page, server);
        await page.WaitForURLAsync(connectionPage);
        var first = connectionPage.Match(page.Url).Groups[1].Value;

        await page.GotoAsync($"{publicBase}/admin/connections/{first}");
        await page.Locator("#scopes").FillAsync("openid email");
        await page.Locator("form.more-scopes").GetByRole(AriaRole.Button, new() { Name = "Reconnect" }).ClickAsync();
        // Blocked by form-action, the browser would stay on the connection page and never reach the provider.
        await page.WaitForURLAsync(url => url.StartsWith(server.IssuerText, StringComparison.Ordinal) || url.Contains("connected=", StringComparison.Ordinal));
        await SignInAsync(page, server);

        await page.WaitForURLAsync(url => url.Contains("connected=", StringComparison.Ordinal));
        Assert.True(blocked.Count == 0, string.Join("\n", blocked));
        Assert.Equal(first, connectionPage.Match(page.Url).Groups[1].Value);
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Connected. Apps can use this connection now.");
        await Expect(page.Locator(".facts")).ToContainTextAsync("openid email");
    }

    /// <summary>oidc-provider's sign-in (when it has no session yet) and consent pages, until it sends the browser back.</summary>
    private static async Task SignInAsync(IPage page, OidcProviderServer server)
    {
        while (page.Url.StartsWith(server.IssuerText, StringComparison.Ordinal))
        {
            var login = page.Locator("input[name=login]");
            if (await login.CountAsync() > 0)
            {
                await login.FillAsync("dana");
                await page.Locator("input[name=password]").FillAsync("any-password");
            }

            var current = page.Url;
            await page.Locator("button[type=submit]").ClickAsync();
            await page.WaitForURLAsync(url => url != current);
        }
    }
}
