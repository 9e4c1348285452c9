using System.Collections.Concurrent;
using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>Tokens that live shorter than <c>Refresh:Skew</c> (default 1 minute): refreshed once per lifetime, never per request.</summary>
public sealed class ShortLivedTokenTests
{
    /// <summary>
    /// A provider issuing <paramref name="lifetime"/>-second tokens and an API that, like a real one, answers 401 to a token
    /// once its lifetime has passed on the (fake) clock.
    /// </summary>
    private static async Task<RefreshScenario> StartAsync(int lifetime, string access = "stale", string prefix = "")
    {
        var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var issuedAt = new ConcurrentDictionary<string, DateTimeOffset> { [$"Bearer {access}"] = scenario.Clock.GetUtcNow() };
        var issue = FakeAuthorizationServer.IssueTokens(expiresIn: lifetime, prefix: prefix);
        scenario.Authorization.Respond = (context, n) =>
        {
            issuedAt[$"Bearer {prefix}access-{n}"] = scenario.Clock.GetUtcNow();
            return issue(context, n);
        };
        scenario.Api.Respond = (context, request) =>
        {
            var alive = issuedAt.TryGetValue(request.Header("Authorization") ?? string.Empty, out var at)
                && scenario.Clock.GetUtcNow() < at + TimeSpan.FromSeconds(lifetime);
            context.Response.StatusCode = alive ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        await scenario.ImportAsync(access, expiresIn: lifetime);
        return scenario;
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(30, 1)]
    [InlineData(2, 20)]
    [InlineData(30, 20)]
    public async Task Token_shorter_than_the_default_skew_is_refreshed_about_once_per_lifetime_never_per_request(int lifetime, int callers)
    {
        await using var scenario = await StartAsync(lifetime);
        using var client = new HttpClient { BaseAddress = scenario.Proxy.Address };
        var lifetimes = 8;
        var steps = lifetimes * 20;
        var statuses = new ConcurrentBag<HttpStatusCode>();

        // Eight lifetimes on the clock, twenty steps per lifetime, callers at every step (at once when there are several).
        for (var step = 0; step < steps; step++)
        {
            await Task.WhenAll(Enumerable.Range(0, callers).Select(async i =>
            {
                using var response = await client.GetAsync($"/acme/{step}/{i}");
                statuses.Add(response.StatusCode);
            }));
            scenario.Clock.Advance(TimeSpan.FromSeconds(lifetime) / 20);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(steps * callers, statuses.Count);
        Assert.InRange(scenario.Authorization.Calls, lifetimes - 1, lifetimes + 1);
        // No upstream 401 either: every token was replaced before the API would have refused it.
        Assert.Equal(steps * callers, scenario.Api.Requests.Count);
    }

    [Fact]
    public async Task Skew_longer_than_the_token_lifetime_is_logged_once_per_connection_without_the_token()
    {
        var imported = Canary.New("token");
        var issued = Canary.New("token");
        await using var scenario = await StartAsync(30, imported, prefix: issued);
        await scenario.ImportAsync(access: Canary.New("token"), label: "second", expiresIn: 30);

        for (var step = 0; step < 40; step++)
        {
            using var first = await scenario.Proxy.Client.GetAsync($"/acme/{step}");
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/acme/second/{step}") { Headers = { { "TokenProxy-Connection", "second" } } };
            using var second = await scenario.Proxy.Client.SendAsync(request);
            scenario.Clock.Advance(TimeSpan.FromSeconds(3));
        }

        var warnings = scenario.Proxy.Logs.Lines.Where(l => l.Contains("[1103]", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.StartsWith("Warning ", w, StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("00:01:00", StringComparison.Ordinal) && w.Contains("00:00:30", StringComparison.Ordinal));
        Canary.AssertAbsent(imported, scenario.Proxy.Logs.All, "logs");
        Canary.AssertAbsent(issued, scenario.Proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task Long_lived_token_keeps_the_configured_skew()
    {
        await using var scenario = await StartAsync(3600);

        scenario.Clock.Advance(TimeSpan.FromMinutes(58) + TimeSpan.FromSeconds(59)); // 61 s left: not yet due
        await scenario.Proxy.Client.GetAsync("/acme/a");
        scenario.Clock.Advance(TimeSpan.FromSeconds(2)); // 59 s left: within the minute
        await scenario.Proxy.Client.GetAsync("/acme/b");

        Assert.Equal(["Bearer stale", "Bearer access-1"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.DoesNotContain(scenario.Proxy.Logs.Lines, l => l.Contains("[1103]", StringComparison.Ordinal));
    }
}
