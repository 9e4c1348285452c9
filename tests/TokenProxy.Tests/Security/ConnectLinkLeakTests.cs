using System.Diagnostics;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Links;

namespace TokenProxy.Tests.Security;

/// <summary>
/// Threat: a connect request's link token (docs/architecture.md §9) leaks — through the request path that ASP.NET Core
/// logs and the server span records, the pages the link opens, the admin API and pages, or the database at rest. It may
/// appear in the answer that creates the request, and nowhere else.
/// </summary>
public sealed class ConnectLinkLeakTests
{
    [Fact]
    public async Task The_link_token_is_in_the_create_answer_only_never_in_logs_spans_metrics_pages_problems_or_the_store()
    {
        var telemetry = new CollectedTelemetry();
        await using var scenario = await LinkScenario.StartAsync(new Dictionary<string, string?>(), telemetry: telemetry);
        var used = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "used" });
        var cancelled = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "cancelled" });
        var tokens = new[] { used, cancelled }.Select(r => LinkScenario.PathOf(r)["/connect/".Length..]).ToList();
        using var browser = scenario.Browser();
        var seen = new List<string>();

        async Task SeeAsync(Task<HttpResponseMessage> sent)
        {
            using var response = await sent;
            seen.Add($"{response.Headers}{response.Content.Headers}{await response.Content.ReadAsStringAsync()}");
        }

        await SeeAsync(browser.GetAsync(LinkScenario.PathOf(used)));
        var state = await LinkScenario.StartAsync(browser, LinkScenario.PathOf(used));
        await SeeAsync(browser.CallbackAsync("acme", ("code", Canary.New("code")), ("state", state)));
        await SeeAsync(browser.GetAsync("/connect/done"));
        await SeeAsync(browser.GetAsync(LinkScenario.PathOf(used)));
        await SeeAsync(browser.PostFormAsync(LinkScenario.PathOf(used)));
        await SeeAsync(browser.SendAsync(new HttpRequestMessage(HttpMethod.Put, LinkScenario.PathOf(cancelled))));
        await SeeAsync(scenario.Admin.DeleteAsync($"/admin/api/connect-requests/{cancelled.GetProperty("id").GetString()}"));
        await SeeAsync(browser.GetAsync(LinkScenario.PathOf(cancelled)));
        await SeeAsync(browser.GetAsync($"/connect/{tokens[1][..^1]}"));
        await SeeAsync(scenario.Admin.GetAsync("/admin/api/connect-requests"));
        await SeeAsync(scenario.Admin.GetAsync($"/admin/api/connect-requests/{used.GetProperty("id").GetString()}"));
        await SeeAsync(scenario.Admin.DeleteAsync($"/admin/api/connect-requests/{used.GetProperty("id").GetString()}"));
        await SeeAsync(scenario.Admin.GetAsync("/admin/connections?workspace=acme-co"));
        await SeeAsync(scenario.Admin.GetAsync("/admin/api/events"));

        // The test's browser calls the proxy from within this process, so its own client spans are recorded too: the
        // proxy never calls itself, so a client span to the proxy's port is the test's.
        var proxySpans = telemetry.AllText(exclude: s => s.Kind == ActivityKind.Client && s.GetTagItem("server.port") is int port && port == scenario.Proxy.Address.Port);
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Contains("url.path=/connect/*", proxySpans, StringComparison.Ordinal);
        foreach (var token in tokens)
        {
            Canary.AssertAbsent(token, scenario.Proxy.Logs.All, "logs");
            Canary.AssertAbsent(token, proxySpans, "spans and metrics");
            Canary.AssertAbsent(token, string.Join("\n", seen), "pages, problems and admin answers");
            Canary.AssertAbsent(token, DiscoveryPickLeakTests.ReadDataDirectory(scenario.Proxy.DataDirectory), "the data directory");
        }
    }
}
