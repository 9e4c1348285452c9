using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>
/// From the providers page to a working connection in a real Chromium: the import form stores an API key or Basic
/// credentials through the admin API, the proxy then sends them to the (loopback) API, and a refused import says why
/// field by field and stores nothing. The secret never shows up in a page.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class ImportInBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ProxyScenario.StartAsync(configure: (settings, api) =>
        {
            settings["TokenProxy:Providers:keyed:DisplayName"] = "Keyed";
            settings["TokenProxy:Providers:keyed:ApiBaseUrl"] = new Uri(api, "/keyed/").AbsoluteUri;
            settings["TokenProxy:Providers:keyed:Auth"] = "ApiKey";
            settings["TokenProxy:Providers:keyed:ApiKey:Header"] = "X-Api-Key";
            settings["TokenProxy:Providers:keyed:ApiKey:Format"] = "Token token={key}";
            settings["TokenProxy:Providers:ledger:DisplayName"] = "Ledger";
            settings["TokenProxy:Providers:ledger:ApiBaseUrl"] = $"{api.AbsoluteUri}accounts/{{account}}/";
            settings["TokenProxy:Providers:ledger:Auth"] = "Basic";
            settings["TokenProxy:Providers:ledger:Parameters:account:Pattern"] = "^AC[0-9]{4}\\z";
            settings["TokenProxy:Providers:ledger:Parameters:account:Label"] = "Account number";
        });
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _scenario.Proxy.Address.AbsoluteUri });
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task Api_key_imported_from_the_providers_page_is_sent_by_the_proxy_and_never_shown()
    {
        var key = Canary.New("formkey");
        var pages = new StringBuilder();
        await _page.GotoAsync("/admin/providers");
        var card = _page.Locator("[data-provider=keyed]");
        await Expect(card).ToContainTextAsync("Ready: its credentials are imported");
        await card.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "provider-card.png") });

        await card.GetByRole(AriaRole.Link, new() { Name = "Import API key: Keyed" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Import an API key for Keyed" })).ToBeVisibleAsync();
        await _page.GetByLabel("Label", new() { Exact = true }).FillAsync("work");
        await _page.GetByLabel("API key", new() { Exact = true }).FillAsync(key);
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "import-api-key.png"), FullPage = true });
        await _page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Imported. Apps can use this connection now.");
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Keyed work" })).ToBeVisibleAsync();
        await Expect(_page.Locator(".facts")).ToContainTextAsync("API key");
        pages.Append(await _page.ContentAsync());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/keyed/items") { Headers = { { "TokenProxy-Connection", "work" } } };
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        response.EnsureSuccessStatusCode();
        var sent = Assert.Single(_scenario.Api.Requests);
        Assert.Equal("/keyed/items", sent.PathAndQuery);
        Assert.Equal($"Token token={key}", sent.Header("X-Api-Key"));
        await _page.GotoAsync("/admin/providers");
        pages.Append(await _page.ContentAsync());
        Canary.AssertAbsent(key, pages.ToString(), "the admin pages");
    }

    [Fact]
    public async Task Basic_credentials_with_a_parameter_imported_from_the_form_reach_the_parameters_address()
    {
        var password = Canary.New("formpassword");
        await _page.GotoAsync("/admin/providers");

        await _page.Locator("[data-provider=ledger]").GetByRole(AriaRole.Link, new() { Name = "Import Basic credentials: Ledger" }).ClickAsync();
        await Field("account").FillAsync("AC1234");
        await _page.GetByLabel("User name", new() { Exact = true }).FillAsync("agent@example.com");
        await _page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Imported. Apps can use this connection now.");
        await Expect(_page.Locator(".facts")).ToContainTextAsync("account = AC1234");
        Canary.AssertAbsent(password, await _page.ContentAsync(), "the connection page");
        using var response = await _scenario.Proxy.Client.GetAsync("/ledger/Messages.json");

        response.EnsureSuccessStatusCode();
        var sent = Assert.Single(_scenario.Api.Requests);
        Assert.Equal("/accounts/AC1234/Messages.json", sent.PathAndQuery);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"agent@example.com:{password}")), sent.Header("Authorization"));
    }

    [Fact]
    public async Task Bad_input_on_the_form_names_each_problem_stores_nothing_and_never_echoes_the_secret()
    {
        var password = Canary.New("refusedpassword");
        await _page.GotoAsync("/admin/providers/ledger/import");

        await _page.GetByLabel("Label", new() { Exact = true }).FillAsync("no spaces allowed");
        await Field("account").FillAsync("evil.test#");
        await _page.GetByLabel("User name", new() { Exact = true }).FillAsync("agent:colon");
        await _page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        var errors = _page.GetByRole(AriaRole.Alert);
        await Expect(errors).ToContainTextAsync("Account number (account)");
        await Expect(errors).ToContainTextAsync("The user name is required, without ':' or control characters, at most 16,384 characters.");
        await Expect(errors).ToContainTextAsync("A label is");
        await Expect(_page.GetByLabel("User name", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Field("account")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(_page.GetByLabel("Password", new() { Exact = true })).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "import-refused.png"), FullPage = true });
        Assert.EndsWith("/admin/providers/ledger/import", _page.Url, StringComparison.Ordinal);
        Assert.Empty(await _scenario.Proxy.Client.GetFromJsonAsync<JsonElement[]>("/admin/api/connections") ?? []);
        // The password is still in its field, where the person typed it, and nowhere else on the page.
        Assert.Equal(password, await _page.GetByLabel("Password", new() { Exact = true }).InputValueAsync());
        Canary.AssertAbsent(password, await errors.InnerTextAsync(), "the problem shown");
        Canary.AssertAbsent(password, _scenario.Proxy.Logs.All, "logs");
    }

    /// <summary>A parameter's field; its label reads "Account number (account)".</summary>
    private ILocator Field(string parameter) => _page.Locator($"[data-parameter={parameter}]");
}
