using System.Text.Json;
using TokenProxy.Tokens;

namespace TokenProxy.Tests.Links;

/// <summary>A connect request's life in the event log: created, completed, cancelled (also by its workspace's delete) and expired, each told once.</summary>
public abstract partial class ConnectRequestTests
{
    [Fact]
    public async Task Each_step_of_a_connect_requests_life_is_told_once_in_the_event_log()
    {
        await using var scenario = await StartAsync(fakeClock: true);
        using var temporary = await scenario.Admin.PostAsJsonAsync("/admin/api/workspaces", new { id = "tmp-co", displayName = "Tmp" });
        var completed = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "done" });
        var cancelled = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "cancelled" });
        var expiring = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "late", expiresIn = 60 });
        var orphaned = await scenario.CreateAsync(new { workspace = "tmp-co", provider = "acme", label = "orphan" });
        using var browser = scenario.Browser();
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", await LinkScenario.StartAsync(browser, LinkScenario.PathOf(completed))));
        using var cancel = await scenario.Admin.DeleteAsync($"/admin/api/connect-requests/{Id(cancelled)}");
        using var cancelAgain = await scenario.Admin.DeleteAsync($"/admin/api/connect-requests/{Id(cancelled)}");
        using var deleteWorkspace = await scenario.Admin.DeleteAsync("/admin/api/workspaces/tmp-co");
        scenario.Inner.Clock.Advance(TimeSpan.FromSeconds(61));
        var maintenance = scenario.Proxy.Services.GetRequiredService<EventLogMaintenance>();
        await maintenance.TellExpiredRequestsAsync(CancellationToken.None);
        await maintenance.TellExpiredRequestsAsync(CancellationToken.None);

        var told = (await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/events?limit=500")).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString()!.StartsWith("connect_request.", StringComparison.Ordinal))
            .Select(e => (e.GetProperty("type").GetString(), e.GetProperty("data").GetProperty("request").GetString(), e.GetProperty("actor").GetString()))
            .OrderBy(e => e.Item1, StringComparer.Ordinal).ThenBy(e => e.Item2, StringComparer.Ordinal).ToList();

        (string, string, string)[] expected =
        [
            ("connect_request.cancelled", Id(cancelled), "admin"),
            ("connect_request.cancelled", Id(orphaned), "admin"),
            ("connect_request.completed", Id(completed), "portal"),
            ("connect_request.created", Id(cancelled), "admin"),
            ("connect_request.created", Id(completed), "admin"),
            ("connect_request.created", Id(expiring), "admin"),
            ("connect_request.created", Id(orphaned), "admin"),
            ("connect_request.expired", Id(expiring), "background"),
        ];
        Assert.Equal(
            [.. expected.OrderBy(e => e.Item1, StringComparer.Ordinal).ThenBy(e => e.Item2, StringComparer.Ordinal).Select(e => ((string?)e.Item1, (string?)e.Item2, (string?)e.Item3))],
            told);
    }
}
