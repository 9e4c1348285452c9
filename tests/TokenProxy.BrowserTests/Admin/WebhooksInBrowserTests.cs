using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Webhooks;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Admin;

/// <summary>The webhooks page in a real Chromium: each webhook, where it posts and how its deliveries went; never a secret.</summary>
[Collection(SharedBrowser.Name)]
public sealed class WebhooksInBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private ProxyHost _proxy = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _proxy = await ProxyHost.StartAsync(WebhookSetup.Settings(_receiver.Url, _receiver.Secret));
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _proxy.Address.AbsoluteUri });
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _proxy.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task The_page_shows_each_webhook_its_deliveries_delivered_and_failed_and_no_secret()
    {
        var apiSecret = Canary.New("hooksecret");
        await using var other = await WebhookReceiver.StartAsync(apiSecret);
        using (var put = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(
            HttpMethod.Put, "/admin/api/webhooks/made", new { url = other.Url, secret = apiSecret, events = new[] { "connection.error" } })))
        {
            Assert.True(put.IsSuccessStatusCode, $"PUT answered {(int)put.StatusCode}");
        }

        // The created event is taken (200), the deleted one refused for good (410).
        _receiver.Respond = n => n == 0 ? (200, null, null) : (410, null, null);
        var id = (await _proxy.ImportAsync("acme", "access-1")).GetProperty("id").GetString()!;
        await _receiver.WaitForAsync(r => r.Count >= 1, "the connection.created event");
        using (var delete = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections/{id}")))
        {
            Assert.True(delete.IsSuccessStatusCode, $"DELETE answered {(int)delete.StatusCode}");
        }

        await _receiver.WaitForAsync(r => r.Count >= 2, "the connection.deleted event");
        await WebhookSetup.WaitForDeliveryAsync(_proxy, d => d.GetProperty("status").GetString() == "delivered");
        await WebhookSetup.WaitForDeliveryAsync(_proxy, d => d.GetProperty("status").GetString() == "failed");

        await _page.GotoAsync("/admin/webhooks");

        var hook = _page.Locator("section[data-webhook='hook']");
        await Expect(hook.GetByRole(AriaRole.Heading, new() { Name = "hook" })).ToBeVisibleAsync();
        await Expect(hook.GetByText("configuration")).ToBeVisibleAsync();
        await Expect(hook.Locator("[data-fact='url']")).ToHaveTextAsync(_receiver.Url.AbsoluteUri);
        await Expect(hook.Locator("[data-fact='events']")).ToHaveTextAsync("connection.created, connection.deleted");
        await Expect(hook.Locator("[data-fact='workspace']")).ToHaveTextAsync("every workspace");
        var delivered = hook.Locator("tr[data-status='delivered']");
        await Expect(delivered).ToHaveCountAsync(1);
        await Expect(delivered).ToContainTextAsync("connection.created");
        await Expect(delivered).ToContainTextAsync("200");
        var failed = hook.Locator("tr[data-status='failed']");
        await Expect(failed).ToHaveCountAsync(1);
        await Expect(failed).ToContainTextAsync("connection.deleted");
        await Expect(failed).ToContainTextAsync("410");

        var made = _page.Locator("section[data-webhook='made']");
        await Expect(made.GetByText("admin API")).ToBeVisibleAsync();
        await Expect(made.GetByText("No deliveries yet.")).ToBeVisibleAsync();

        var html = await _page.ContentAsync();
        Canary.AssertAbsent(apiSecret, html, "the webhooks page");
        Canary.AssertAbsent(_receiver.Secret, html, "the webhooks page");
    }
}
