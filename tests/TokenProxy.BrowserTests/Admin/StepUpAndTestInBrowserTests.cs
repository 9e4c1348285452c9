using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>
/// The connection page after its API answered insufficient_scope: the scopes it needs with a Reconnect that asks for them,
/// which grants them at the real oidc-provider; and Test connection, whose message the page shows.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class StepUpAndTestInBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_page_shows_the_scopes_an_api_asked_for_its_reconnect_grants_them_and_test_connection_says_it_works()
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        await using var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc", accessTokenSeconds: 3600);
        await using var api = await LoopbackServer.StartAsync(async context =>
        {
            var introspection = await server.IntrospectAsync(context.Request.Headers.Authorization.ToString()["Bearer ".Length..]);
            if (introspection.TryGetProperty("scope", out var scope) && scope.GetString()!.Split(' ').Contains("api:read"))
            {
                await context.Response.WriteAsync("{}");
                return;
            }

            context.Response.StatusCode = 403;
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\", scope=\"api:read\"";
        });
        var settings = server.Provider("oidc");
        settings["Urls"] = publicBase;
        settings["TokenProxy:PublicBaseUrl"] = publicBase;
        settings["TokenProxy:Providers:oidc:DisplayName"] = "Example ID";
        settings["TokenProxy:Providers:oidc:ApiBaseUrl"] = api.Address.AbsoluteUri;
        await using var proxy = await ProxyHost.StartAsync(settings);
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var connectionPage = new Regex($"^{Regex.Escape(publicBase)}/admin/connections/(conn_[^?]+)");
        await page.GotoAsync($"{publicBase}/admin/connect/oidc");
        await SignInAsync(page, server);
        await page.WaitForURLAsync(connectionPage);
        var id = connectionPage.Match(page.Url).Groups[1].Value;

        using var refused = await proxy.Client.GetAsync("/oidc/items");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        await page.GotoAsync($"{publicBase}/admin/connections/{id}");

        await Expect(page.Locator("#scopes-required")).ToContainTextAsync("Example ID's API needs access this connection was not granted: api:read");
        await Expect(page.Locator(".facts")).ToContainTextAsync("Scopes needed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
        await Expect(page.Locator("#test-result")).ToContainTextAsync(new Regex("^Works: the provider accepted the credentials \\(Example ID answered 200 in \\d+ ms as Test User dana\\)\\.$"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "admin-scopes-required.png"), FullPage = true });

        await page.Locator("#scopes-required").GetByRole(AriaRole.Link, new() { Name = "Reconnect" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(server.IssuerText, StringComparison.Ordinal) || url.Contains("connected=", StringComparison.Ordinal));
        await SignInAsync(page, server);
        await page.WaitForURLAsync(url => url.Contains("connected=", StringComparison.Ordinal));

        Assert.Equal(id, connectionPage.Match(page.Url).Groups[1].Value);
        await Expect(page.Locator("#scopes-required")).ToHaveCountAsync(0);
        await Expect(page.Locator(".facts")).ToContainTextAsync("api:read");
        using var allowed = await proxy.Client.GetAsync("/oidc/items");
        Assert.Equal(System.Net.HttpStatusCode.OK, allowed.StatusCode);
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
