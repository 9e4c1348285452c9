using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>
/// A person connects a provider that needs a value from them (the sign-in host, asked on a form) and a site found after
/// sign-in (picked on a page), against the real authorization server (oidc-provider) and a fake site-discovery API.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class ConnectValuesInBrowserTests(BrowserFixture browser)
{
    private const string First = "11111111-1111-4111-8111-111111111111";
    private const string Second = "22222222-2222-4222-8222-222222222222";

    [Fact]
    public async Task The_form_asks_for_the_value_explains_a_refusal_and_the_pick_page_chooses_the_site_requests_go_to()
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        await using var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc", accessTokenSeconds: 3600);
        await using var api = await RecordingUpstream.StartAsync();
        api.Respond = (context, request) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(request.PathAndQuery == "/accessible-resources"
                ? JsonSerializer.Serialize(new[] { new { id = First, name = "Alpha site" }, new { id = Second, name = "Beta site" } })
                : """{"ok":true}""");
        };
        var settings = server.Provider("oidc");
        settings["Urls"] = publicBase;
        settings["TokenProxy:PublicBaseUrl"] = publicBase;
        settings["TokenProxy:Providers:oidc:DisplayName"] = "Example ID";
        settings["TokenProxy:Providers:oidc:AuthorizationUrl"] = $"http://{{host}}:{server.Issuer.Port}/auth";
        settings["TokenProxy:Providers:oidc:AllowedHosts:0"] = $"127.0.0.1:{server.Issuer.Port}";
        settings["TokenProxy:Providers:oidc:ApiBaseUrl"] = new Uri(api.Address, "/ex/jira/{cloudId}").OriginalString;
        settings["TokenProxy:Providers:oidc:Parameters:host:Pattern"] = @"^[0-9.]{1,15}\z";
        settings["TokenProxy:Providers:oidc:Parameters:host:Label"] = "Sign-in host";
        settings["TokenProxy:Providers:oidc:Parameters:cloudId:Label"] = "Atlassian site";
        settings["TokenProxy:Providers:oidc:Parameters:cloudId:Discovery:Url"] = new Uri(api.Address, "/accessible-resources").AbsoluteUri;
        settings["TokenProxy:Providers:oidc:Parameters:cloudId:Discovery:ValueField"] = "id";
        settings["TokenProxy:Providers:oidc:Parameters:cloudId:Discovery:LabelField"] = "name";
        await using var proxy = await ProxyHost.StartAsync(settings);
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{publicBase}/admin/connections");
        await page.Locator(".providers li").Filter(new() { HasText = "Example ID" }).GetByRole(AriaRole.Link, new() { Name = "Connect" }).ClickAsync();
        var host = page.GetByLabel("Sign-in host");
        await Expect(host).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "connect-form.png"), FullPage = true });

        await host.FillAsync("evil.test#");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to Example ID" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("may hold only ASCII letters");
        await Expect(page.GetByLabel("Sign-in host")).ToHaveValueAsync(string.Empty);

        await page.GetByLabel("Sign-in host").FillAsync("127.0.0.1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to Example ID" }).ClickAsync();
        // oidc-provider's own sign-in and consent pages.
        await page.Locator("input[name=login]").FillAsync("dana");
        await page.Locator("input[name=password]").FillAsync("any-password");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.Locator("button[type=submit]").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose the Atlassian site" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "pick-site.png"), FullPage = true });
        await page.GetByLabel("Beta site").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();

        await page.WaitForURLAsync(new Regex($"^{Regex.Escape(publicBase)}/admin/connections/conn_"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Connected. Apps can use this connection now.");
        await Expect(page.Locator(".status")).ToContainTextAsync("active");
        using var call = await proxy.Client.GetAsync("/oidc/rest/api/3/myself");
        call.EnsureSuccessStatusCode();
        Assert.Equal($"/ex/jira/{Second}/rest/api/3/myself", api.Requests.Last().PathAndQuery);
    }
}
