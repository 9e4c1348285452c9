using System.Text.Json;
using Microsoft.Playwright;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.BrowserTests.Proxy;

/// <summary>
/// A page an API returns (a user's uploaded file), opened in a real Chromium through the proxy: the proxy's origin is
/// the admin API's, which answers loopback without a token by default, so the page's script must not run as it.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class ApiDocumentInBrowserTests(BrowserFixture browser)
{
    private const string Page = """
        <!doctype html><title>file</title><p id="out">script did not run</p>
        <script>
          document.getElementById('out').textContent = 'script ran';
          fetch('/admin/api/providers/acme', {
            method: 'PUT',
            headers: { 'TokenProxy-Csrf': '1', 'Content-Type': 'application/json' },
            body: JSON.stringify({ ApiBaseUrl: 'http://127.0.0.1:9/stolen' }),
          }).then((r) => { document.getElementById('out').textContent = 'PUT ' + r.status; });
        </script>
        """;

    [Fact]
    public async Task Html_from_the_api_cannot_run_script_as_the_proxys_origin_or_repoint_a_provider()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        await scenario.ImportAsync(access: "access-for-the-page");
        scenario.Api.Respond = (context, _) =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(Page);
        };
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = scenario.Proxy.Address.AbsoluteUri });
        var page = await context.NewPageAsync();

        // The script, if it ran, did so while the page loaded: by the load event its text is there.
        var opened = await page.GotoAsync("/acme/files/report.html", new() { WaitUntil = WaitUntilState.Load });

        Assert.Equal(200, opened!.Status);
        Assert.Equal("script did not run", await page.Locator("#out").TextContentAsync());
        var acme = JsonDocument.Parse(await scenario.Proxy.Client.GetStringAsync("/admin/api/providers/acme")).RootElement;
        Assert.DoesNotContain("stolen", acme.ToString(), StringComparison.Ordinal);
    }
}
