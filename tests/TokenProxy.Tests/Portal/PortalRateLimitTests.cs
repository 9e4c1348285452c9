using System.Net;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Links;

namespace TokenProxy.Tests.Portal;

/// <summary>
/// The pages opened without admin access are rate-limited per client address (<c>TokenProxy:Portal:PermitsPerMinute</c>):
/// over the limit, 429 with Retry-After before anything is looked up; the admin API and the data plane are not limited.
/// </summary>
public sealed class PortalRateLimitTests
{
    [Fact]
    public async Task Link_pages_over_the_configured_limit_answer_429_with_retry_after_while_the_admin_api_is_not_limited()
    {
        await using var scenario = await LinkScenario.StartAsync(new Dictionary<string, string?>(), settings => settings["TokenProxy:Portal:PermitsPerMinute"] = "3");
        var link = LinkScenario.PathOf(await scenario.CreateAsync());
        using var browser = scenario.Browser();

        var allowed = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await browser.GetAsync(i == 0 ? link : $"/connect/{new string('A', 43)}");
            allowed.Add(response.StatusCode);
        }

        using var limited = await browser.GetAsync(link);
        using var limitedPost = await browser.PostFormAsync(link);
        using var page = new HttpRequestMessage(HttpMethod.Get, link);
        page.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        using var limitedPage = await scenario.Proxy.Client.SendAsync(page);
        var admin = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await scenario.Admin.GetAsync("/admin/api/connect-requests");
            admin.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.NotFound], allowed);
        var problem = await Problems.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedPost.StatusCode);
        // A person's browser gets a page saying so, not JSON.
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedPage.StatusCode);
        Assert.Equal("text/html", limitedPage.Content.Headers.ContentType?.MediaType);
        Assert.True(limitedPage.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("opened too many pages in the last minute", await limitedPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.All(admin, status => Assert.Equal(HttpStatusCode.OK, status));
        Canary.AssertAbsent(link["/connect/".Length..], problem.ToString(), "the 429 problem");
    }
}
