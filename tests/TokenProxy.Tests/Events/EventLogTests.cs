using System.Net;
using System.Text.Json;
using TokenProxy.Events;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.OAuth;
using TokenProxy.Tests.Tokens;
using TokenProxy.Tokens;

namespace TokenProxy.Tests.Events;

/// <summary>
/// The durable event log as an operator reads it (<c>GET /admin/api/events</c>), on each store: every change of a
/// connection's life told once, by whom, with its details; nothing for what did not change; kept across restarts.
/// </summary>
public abstract class EventLogTests : IAsyncLifetime
{
    private RefreshScenario _scenario = null!;

    private protected RefreshScenario Scenario => _scenario;

    /// <summary>Points the proxy at the store under test.</summary>
    private protected abstract void UseStore(Dictionary<string, string?> settings);

    public virtual async Task InitializeAsync() => _scenario = await RefreshScenario.StartAsync(UseStore, fakeClock: true);

    public virtual async Task DisposeAsync() => await _scenario.DisposeAsync();

    [Fact]
    public async Task A_connection_broken_by_invalid_grant_then_reconnected_shows_error_reconnected_and_recovered_once_each()
    {
        var id = await Scenario.ImportAsync();
        Scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant", error_description = "Token revoked by user" });
        Scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var broken = await Scenario.Proxy.Client.GetAsync("/acme/user");
        using var stillBroken = await Scenario.Proxy.Client.GetAsync("/acme/user");
        Scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens();
        using (var browser = new ConnectFlow(Scenario.Proxy.Address))
        {
            var authorize = await browser.StartAsync($"/admin/connect/acme?connection={id}");
            using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", authorize["state"]));
        }

        using var working = await Scenario.Proxy.Client.GetAsync("/acme/user");

        Assert.Equal(HttpStatusCode.Unauthorized, broken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stillBroken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, working.StatusCode);
        var events = (await PageAsync($"?connection={id}")).Items;
        Assert.Equal(
            [
                (EventTypes.ConnectionRecovered, EventTypes.ActorAdmin),
                (EventTypes.ConnectionReconnected, EventTypes.ActorAdmin),
                (EventTypes.ConnectionError, EventTypes.ActorApp),
                (EventTypes.ConnectionCreated, EventTypes.ActorAdmin),
            ],
            events.Select(e => (e.GetProperty("type").GetString(), e.GetProperty("actor").GetString())));
        var error = events[2];
        Assert.Equal("invalid_grant", error.GetProperty("data").GetProperty("error").GetString());
        Assert.Equal("Token revoked by user", error.GetProperty("data").GetProperty("errorDescription").GetString());
        Assert.Equal("acme", error.GetProperty("provider").GetString());
        Assert.StartsWith("evt_", error.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_a_manual_refresh_is_told_and_revoke_and_delete_are_told_with_what_the_provider_said()
    {
        var id = await Scenario.ImportAsync();
        Scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens();
        Scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var automatic = await Scenario.Proxy.Client.GetAsync("/acme/user");
        using var manual = await Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        using var revoke = await Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        using var delete = await Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections/{id}"));
        using var deleteAgain = await Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections/{id}"));

        Assert.Equal(HttpStatusCode.OK, automatic.StatusCode);
        Assert.Equal(HttpStatusCode.OK, manual.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deleteAgain.StatusCode);
        var events = (await PageAsync($"?connection={id}")).Items;
        Assert.Equal(
            [EventTypes.ConnectionDeleted, EventTypes.ConnectionRevoked, EventTypes.ConnectionRefreshed, EventTypes.ConnectionCreated],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("revoked", events[1].GetProperty("data").GetProperty("result").GetString());
    }

    [Fact]
    public async Task Events_survive_a_restart_on_the_same_database()
    {
        var id = await Scenario.ImportAsync();
        var before = (await PageAsync(string.Empty)).Items.Single();

        await Scenario.RestartAsync();
        var after = (await PageAsync(string.Empty)).Items.Single();

        Assert.Equal(before.GetProperty("id").GetString(), after.GetProperty("id").GetString());
        Assert.Equal(id, after.GetProperty("connectionId").GetString());
        Assert.Equal(before.GetProperty("createdAt").GetDateTimeOffset(), after.GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task The_events_api_pages_newest_first_with_an_opaque_cursor_and_filters()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Scenario.ImportAsync(label: $"l{i}"));
        }

        var first = await PageAsync("?limit=2");
        var second = await PageAsync($"?limit=2&cursor={first.Next}");
        var ofOne = await PageAsync($"?connection={ids[1]}&type=connection.created");
        var none = await PageAsync("?type=connection.deleted");
        var since = await PageAsync($"?since={Uri.EscapeDataString(Scenario.Clock.GetUtcNow().AddMinutes(1).ToString("O"))}");

        Assert.Equal([ids[2], ids[1]], first.Items.Select(e => e.GetProperty("connectionId").GetString()));
        Assert.NotNull(first.Next);
        Assert.Equal([ids[0]], second.Items.Select(e => e.GetProperty("connectionId").GetString()));
        Assert.Null(second.Next);
        Assert.Equal(ids[1], Assert.Single(ofOne.Items).GetProperty("connectionId").GetString());
        Assert.Empty(none.Items);
        Assert.Empty(since.Items);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=501", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?type=connection.exploded", "type")]
    [InlineData("?since=yesterday", "since")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    [InlineData("?workspace=Not%20A%20Workspace", "workspace")]
    public async Task A_bad_events_query_is_a_400_problem_naming_the_parameter(string query, string parameter)
    {
        using var response = await Scenario.Proxy.Client.GetAsync($"/admin/api/events{query}");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Fact]
    public async Task Several_bad_events_parameters_are_named_together_in_one_problem()
    {
        using var response = await Scenario.Proxy.Client.GetAsync("/admin/api/events?workspace=Not%20A%20Workspace&limit=100000&since=yesterday&cursor=YmVmb3JlOi0x&type=x");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(
            ["cursor", "limit", "since", "type", "workspace"],
            problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_200_KB_error_description_with_line_breaks_is_kept_short_and_on_one_line_in_the_row_the_event_and_the_log()
    {
        var id = await Scenario.ImportAsync();
        var description = "Token revoked\nInformation TokenProxy.Events[1900] Event forged\r\n" + new string('x', 200_000);
        Scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant\nforged", error_description = description });
        Scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var broken = await Scenario.Proxy.Client.GetAsync("/acme/user");

        Assert.Equal(HttpStatusCode.Unauthorized, broken.StatusCode);
        var data = Assert.Single((await PageAsync($"?connection={id}&type=connection.error")).Items).GetProperty("data");
        var told = data.GetProperty("errorDescription").GetString()!;
        Assert.Equal("invalid_grant forged", data.GetProperty("error").GetString());
        Assert.StartsWith("Token revoked Information TokenProxy.Events[1900] Event forged xxx", told, StringComparison.Ordinal);
        Assert.InRange(told.Length, 1, TokenProxy.OAuth.ProviderText.MaxDescriptionLength);
        Assert.EndsWith("…", told, StringComparison.Ordinal);
        var stored = (await Scenario.ConnectionAsync(id)).GetProperty("lastError").GetProperty("description").GetString()!;
        Assert.Equal(told, stored);
        Assert.DoesNotContain(new string('x', TokenProxy.OAuth.ProviderText.MaxDescriptionLength), Scenario.Proxy.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Scenario.Proxy.Logs.Lines, line => line.Contains("Event forged", StringComparison.Ordinal) && line.StartsWith("Information TokenProxy.Events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Events_past_the_retention_are_pruned_in_the_background_pass()
    {
        await Scenario.ImportAsync(label: "old");
        Scenario.Clock.Advance(TimeSpan.FromDays(89));
        await Scenario.ImportAsync(label: "recent");
        Scenario.Clock.Advance(TimeSpan.FromDays(2));

        var pruned = await Scenario.Service<EventLogMaintenance>().PruneAsync(CancellationToken.None);

        Assert.Equal(1, pruned);
        var left = Assert.Single((await PageAsync(string.Empty)).Items);
        Assert.Equal("recent", left.GetProperty("data").GetProperty("label").GetString());
    }

    [Fact]
    public async Task A_token_about_to_lapse_is_told_once_however_many_passes_see_it()
    {
        var lapsing = await Scenario.ImportAsync(refresh: null, expiresIn: (long)TimeSpan.FromDays(3).TotalSeconds, label: "lapsing");
        await Scenario.ImportAsync(refresh: null, expiresIn: (long)TimeSpan.FromDays(30).TotalSeconds, label: "later");
        await Scenario.ImportAsync(label: "renewable");
        var maintenance = Scenario.Service<EventLogMaintenance>();

        await maintenance.WarnExpiringAsync(CancellationToken.None);
        await maintenance.WarnExpiringAsync(CancellationToken.None);
        await Scenario.RestartAsync();
        await Scenario.Service<EventLogMaintenance>().WarnExpiringAsync(CancellationToken.None);

        var expiring = Assert.Single((await PageAsync("?type=connection.expiring")).Items);
        Assert.Equal(lapsing, expiring.GetProperty("connectionId").GetString());
        Assert.Equal("access_token", expiring.GetProperty("data").GetProperty("token").GetString());
        Assert.Equal(EventTypes.ActorBackground, expiring.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task A_refresh_token_lapsing_within_the_warning_shows_on_the_connection_and_is_told_once()
    {
        var soon = await Scenario.ImportAsync(label: "soon");
        var later = await Scenario.ImportAsync(label: "later");
        foreach (var (id, days) in new[] { (soon, 3), (later, 30) })
        {
            Scenario.Authorization.Respond = FakeAuthorizationServer.Answer(200, new
            {
                access_token = $"access-{days}", refresh_token = $"refresh-{days}", expires_in = 3600, refresh_token_expires_in = (long)TimeSpan.FromDays(days).TotalSeconds,
            });
            using var refreshed = await Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
            // The refresh's own answer says what the next read will.
            Assert.Equal(days == 3, (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connection").GetProperty("expiringWarning").GetBoolean());
        }


        var maintenance = Scenario.Service<EventLogMaintenance>();
        await maintenance.WarnExpiringAsync(CancellationToken.None);
        await maintenance.WarnExpiringAsync(CancellationToken.None);
        var warned = await Scenario.ConnectionAsync(soon);
        var quiet = await Scenario.ConnectionAsync(later);
        var page = await Scenario.Proxy.Client.GetStringAsync($"/admin/connections/{soon}");
        var list = await Scenario.Proxy.Client.GetStringAsync("/admin/connections");

        var lapse = Scenario.Clock.GetUtcNow() + TimeSpan.FromDays(3);
        Assert.True(warned.GetProperty("expiringWarning").GetBoolean());
        Assert.Equal(lapse, warned.GetProperty("accessLapsesAt").GetDateTimeOffset());
        var text = $"Access lapses on {lapse.UtcDateTime:yyyy-MM-dd HH:mm} UTC: reconnect before then.";
        Assert.Equal(text, warned.GetProperty("warning").GetString());
        Assert.Contains(text, page, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(list, System.Text.RegularExpressions.Regex.Escape(text)));
        Assert.False(quiet.GetProperty("expiringWarning").GetBoolean());
        Assert.Equal(JsonValueKind.Null, quiet.GetProperty("warning").ValueKind);
        var told = Assert.Single((await PageAsync("?type=connection.expiring")).Items);
        Assert.Equal(soon, told.GetProperty("connectionId").GetString());
        Assert.Equal("refresh_token", told.GetProperty("data").GetProperty("token").GetString());

        // An import's answer says what the next read will: a token lapsing in 10 minutes is warned about at once.
        using var imported = await Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new { provider = "acme", label = "brief", accessToken = "brief-access", expiresIn = 600 }));
        var briefAnswer = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(briefAnswer.GetProperty("expiringWarning").GetBoolean());
        Assert.Equal(
            (await Scenario.ConnectionAsync(briefAnswer.GetProperty("id").GetString()!)).GetProperty("warning").GetString(), briefAnswer.GetProperty("warning").GetString());
    }

    [Fact]
    public async Task A_token_endpoint_circuit_opening_and_closing_is_told_once_per_transition()
    {
        var id = await Scenario.ImportAsync();
        Scenario.Authorization.Respond = FakeAuthorizationServer.Answer(503);

        // Three attempts a refresh: two refreshes reach the breaker's minimum throughput, all failed; the third is refused by the open circuit.
        for (var i = 0; i < 3; i++)
        {
            using var failed = await Scenario.Clock.RunAsync(() => Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh")));
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        Scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens();
        Scenario.Clock.Advance(TimeSpan.FromSeconds(16));
        using var refreshed = await Scenario.Clock.RunAsync(() => Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh")));
        using var again = await Scenario.Clock.RunAsync(() => Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh")));

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var transitions = (await PageAsync(string.Empty)).Items.Where(e => e.GetProperty("type").GetString()!.StartsWith("provider.", StringComparison.Ordinal)).ToList();
        Assert.Equal([EventTypes.ProviderAvailable, EventTypes.ProviderUnavailable], transitions.Select(e => e.GetProperty("type").GetString()));
        Assert.All(transitions, e => Assert.Equal("acme", e.GetProperty("provider").GetString()));
        Assert.All(transitions, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("connectionId").ValueKind));
        // Told to OpenTelemetry's logs like every other event, though no row changed with them.
        Assert.Single(Scenario.Proxy.Logs.Lines, l => l.Contains("[1900] Event provider.unavailable", StringComparison.Ordinal));
        Assert.Single(Scenario.Proxy.Logs.Lines, l => l.Contains("[1900] Event provider.available", StringComparison.Ordinal));
    }

    private protected async Task<(List<JsonElement> Items, string? Next)> PageAsync(string query)
    {
        using var response = await Scenario.Proxy.Client.GetAsync($"/admin/api/events{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        var next = page.GetProperty("next");
        return ([.. page.GetProperty("items").EnumerateArray()], next.ValueKind == JsonValueKind.Null ? null : next.GetString());
    }
}
