using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Portal;

/// <summary>
/// <c>TokenProxy:Portal:PermitsPerMinute</c> per client address on every <c>/portal</c> endpoint: past it, 429 with
/// <c>Retry-After</c>, so link and session values cannot be guessed at speed; the admin surface and the data plane are
/// not counted.
/// </summary>
public sealed class PortalPagesRateLimitTests
{
    [Fact]
    public async Task Past_the_configured_permits_every_portal_endpoint_answers_429_with_retry_after()
    {
        await using var portal = await PortalScenario.StartAsync([], settings => settings["TokenProxy:Portal:PermitsPerMinute"] = "3");
        await portal.CreateWorkspaceAsync("acme");
        var link = await portal.LinkAsync("acme");

        var (entered, cookie) = await portal.OpenAsync(link);
        using var guess = await portal.Browser.GetAsync("/portal/enter/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        using var list = await portal.GetAsync("/portal/connections", cookie);
        using var limitedGuess = await portal.Browser.GetAsync("/portal/enter/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
        var (limitedLink, limitedCookie) = await portal.OpenAsync(link);
        using var limitedList = await portal.GetAsync("/portal/connections", cookie);
        using var limitedAction = await portal.PostAsync("/portal/connections/conn_x/revoke", cookie);
        using var admin = await portal.Admin.GetAsync("/admin/api/connections");
        using var dataPlane = await portal.Browser.GetAsync("/acme/anything");

        Assert.Equal(HttpStatusCode.SeeOther, entered.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, guess.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        foreach (var limited in new[] { limitedGuess, limitedLink, limitedList, limitedAction })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        }

        // The page a person's browser asked for is a page; a script's call, problem+json.
        Assert.Equal("text/html", limitedList.Content.Headers.ContentType?.MediaType);
        await Problems.AssertProblemAsync(limitedAction, HttpStatusCode.TooManyRequests, "rate_limited");

        Assert.Null(limitedCookie);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, dataPlane.StatusCode);
    }

    [Fact]
    public async Task Portal_assets_are_cached_by_the_browser_so_a_page_view_spends_one_permit_and_pages_never_are()
    {
        await using var portal = await PortalScenario.StartAsync([]);
        await portal.CreateWorkspaceAsync("acme");
        var cookie = await portal.EnterAsync("acme");

        using var page = await portal.GetAsync("/portal/connections", cookie);
        var html = await page.Content.ReadAsStringAsync();
        foreach (var asset in new[] { "portal.css", "admin.js", "portal.js" })
        {
            Assert.Contains($"/portal/assets/{asset}", html, StringComparison.Ordinal);
            using var served = await portal.Browser.GetAsync($"/portal/assets/{asset}");
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal(new System.Net.Http.Headers.CacheControlHeaderValue { Private = true, MaxAge = TimeSpan.FromHours(1) }, served.Headers.CacheControl);
        }

        Assert.True(page.Headers.CacheControl?.NoStore);
    }
}
