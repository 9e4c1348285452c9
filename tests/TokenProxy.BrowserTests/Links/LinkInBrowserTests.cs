using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Links;

/// <summary>
/// A connect request's link in a real Chromium, with <c>Admin:Token</c> set: a person without admin access opens it, sees
/// who asks and the operator's message, connects at a real authorization server (oidc-provider) and lands on "Connected";
/// the operator cancels another request from the connections page, and its link then says so.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed partial class LinkInBrowserTests(BrowserFixture browser)
{
    private const string AdminToken = "browser-admin-token-0123456789";

    [Fact]
    public async Task A_person_without_admin_access_connects_from_the_link_and_a_cancelled_link_says_so()
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        await using var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc", accessTokenSeconds: 3600);
        var settings = server.Provider("oidc");
        settings["Urls"] = publicBase;
        settings["TokenProxy:PublicBaseUrl"] = publicBase;
        settings["TokenProxy:Admin:Token"] = AdminToken;
        settings["TokenProxy:Providers:oidc:DisplayName"] = "Example ID";
        await using var proxy = await ProxyHost.StartAsync(settings);
        using var admin = new HttpClient { BaseAddress = proxy.Address };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        admin.DefaultRequestHeaders.Add("TokenProxy-Csrf", "1");
        (await admin.PostAsJsonAsync("/admin/api/workspaces", new { id = "acme-co", displayName = "Acme Co" })).Dispose();
        var link = await CreateAsync(admin, new { workspace = "acme-co", provider = "oidc", message = "Hi <b>Erin</b>, please connect." });
        var cancelled = await CreateAsync(admin, new { workspace = "acme-co", provider = "oidc", label = "later" });
        await using var person = await browser.Browser.NewContextAsync();
        var page = await person.NewPageAsync();

        await page.GotoAsync(link.GetProperty("url").GetString()!);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connect Example ID" })).ToBeVisibleAsync();
        await Expect(page.Locator(".link-message")).ToHaveTextAsync("Hi <b>Erin</b>, please connect.");
        await Expect(page.GetByText("Acme Co", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Connections" })).ToHaveCountAsync(0);
        Assert.DoesNotContain(LinkToken(link), await page.ContentAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
        await page.Locator("input[name=login]").FillAsync("erin");
        await page.Locator("input[name=password]").FillAsync("any-password");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.Locator("button[type=submit]").ClickAsync();

        // The link ends in the workspace's portal, on the new connection.
        await page.WaitForURLAsync(new Regex("/portal/connections/[^/?]+\\?connected=1$"));
        await Expect(page.GetByText("Example ID").First).ToBeVisibleAsync();
        var connection = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("/admin/api/connections?workspace=acme-co")).EnumerateArray());
        Assert.Equal("erin@example.com", connection.GetProperty("account").GetProperty("email").GetString());

        await using var operatorContext = await browser.Browser.NewContextAsync(new() { ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {AdminToken}" } });
        var operatorPage = await operatorContext.NewPageAsync();
        await operatorPage.GotoAsync($"{publicBase}/admin/connections?workspace=acme-co");
        var row = operatorPage.Locator($"[data-connect-request=\"{cancelled.GetProperty("id").GetString()}\"]");
        await row.GetByRole(AriaRole.Button, new() { Name = "Cancel the request for Example ID" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);

        var gone = await page.GotoAsync(cancelled.GetProperty("url").GetString()!);
        Assert.Equal(410, gone!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link was cancelled" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Long_unbroken_names_and_messages_wrap_on_the_link_page_instead_of_widening_it()
    {
        // The page only: nobody presses Connect, so the provider's endpoints need not answer.
        var settings = ProxyHost.Provider("oauth", new Uri("http://127.0.0.1:9/"));
        settings["TokenProxy:Providers:oauth:ClientId"] = "client";
        settings["TokenProxy:Providers:oauth:TokenEndpointAuth"] = "none";
        settings["TokenProxy:Providers:oauth:AuthorizationUrl"] = "http://127.0.0.1:9/authorize";
        settings["TokenProxy:Providers:oauth:TokenUrl"] = "http://127.0.0.1:9/token";
        await using var proxy = await ProxyHost.StartAsync(settings);
        using var admin = new HttpClient { BaseAddress = proxy.Address };
        admin.DefaultRequestHeaders.Add("TokenProxy-Csrf", "1");
        (await admin.PostAsJsonAsync("/admin/api/workspaces", new { id = "long-co", displayName = new string('W', 200) })).Dispose();
        var link = await CreateAsync(admin, new { workspace = "long-co", provider = "oauth", message = new string('M', 1000) });
        await using var person = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1024, Height = 700 } });
        var page = await person.NewPageAsync();

        // The link names the default public address; the page is the same at the one this proxy listens on.
        await page.GotoAsync(new Uri(proxy.Address, new Uri(link.GetProperty("url").GetString()!).AbsolutePath).AbsoluteUri);

        await Expect(page.Locator(".link-message")).ToBeVisibleAsync();
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.Equal(widths[1], widths[0]);
    }

    private static async Task<JsonElement> CreateAsync(HttpClient admin, object body)
    {
        using var response = await admin.PostAsJsonAsync("/admin/api/connect-requests", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json;
    }

    private static string LinkToken(JsonElement request) => LinkPath().Match(request.GetProperty("url").GetString()!).Groups[1].Value;

    [GeneratedRegex("/connect/([A-Za-z0-9_-]+)$")]
    private static partial Regex LinkPath();
}
