using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// When a refresh token stops working (docs/architecture.md §7): the token answer's
/// <c>refresh_token_expires_in</c>, else the provider's <c>RefreshTokenLifetime</c> (from the connect) or
/// <c>RefreshTokenIdleLifetime</c> (from the latest refresh); stored with the connection and shown.
/// </summary>
public sealed class RefreshTokenLifetimeTests
{
    [Fact]
    public async Task Refresh_token_expires_in_from_the_token_answer_is_stored_and_shown_on_json_and_page()
    {
        await using var scenario = await RefreshScenario.StartAsync(
            settings => settings["TokenProxy:Providers:acme:RefreshTokenIdleLifetime"] = "90.00:00:00", fakeClock: true);
        // GitHub's expiring user tokens: 8 hours, the refresh token 6 months.
        scenario.Authorization.Respond = (context, n) => context.Response.WriteAsJsonAsync(new
        {
            access_token = $"access-{n}", refresh_token = $"refresh-{n}", token_type = "bearer", expires_in = 28800, refresh_token_expires_in = "15897600",
        });
        var id = await scenario.ImportAsync();
        Assert.Equal(JsonValueKind.Null, (await scenario.ConnectionAsync(id)).GetProperty("refreshTokenExpiresAt").ValueKind);

        await RefreshAsync(scenario, id);
        var refreshedAt = scenario.Clock.GetUtcNow();
        var connection = await scenario.ConnectionAsync(id);
        var page = await scenario.Proxy.Client.GetStringAsync($"/admin/connections/{id}");

        var expected = refreshedAt + TimeSpan.FromSeconds(15897600);
        Assert.Equal(expected, connection.GetProperty("refreshTokenExpiresAt").GetDateTimeOffset());
        Assert.Contains("<dt>Refresh token expires</dt>", page, StringComparison.Ordinal);
        Assert.Contains(expected.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_lifetime_counts_from_the_latest_refresh()
    {
        await using var scenario = await RefreshScenario.StartAsync(
            settings => settings["TokenProxy:Providers:acme:RefreshTokenIdleLifetime"] = "90.00:00:00", fakeClock: true);
        var id = await scenario.ImportAsync();

        await RefreshAsync(scenario, id);
        var first = scenario.Clock.GetUtcNow();
        var afterFirst = (await scenario.ConnectionAsync(id)).GetProperty("refreshTokenExpiresAt").GetDateTimeOffset();
        scenario.Clock.Advance(TimeSpan.FromDays(30));
        await RefreshAsync(scenario, id);
        var second = scenario.Clock.GetUtcNow();
        var afterSecond = (await scenario.ConnectionAsync(id)).GetProperty("refreshTokenExpiresAt").GetDateTimeOffset();

        Assert.Equal(first + TimeSpan.FromDays(90), afterFirst);
        Assert.Equal(second + TimeSpan.FromDays(90), afterSecond);
    }

    [Fact]
    public async Task At_a_connect_the_earlier_of_the_providers_lifetime_and_idle_lifetime_counts_then_a_refresh_restarts_the_idle_one()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            settings["TokenProxy:Providers:acme:RefreshTokenLifetime"] = "60.00:00:00";
            settings["TokenProxy:Providers:acme:RefreshTokenIdleLifetime"] = "90.00:00:00";
        }, fakeClock: true);
        using var browser = new TokenProxy.Tests.OAuth.ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");

        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", authorize["state"]));
        var connectedAt = scenario.Clock.GetUtcNow();
        var id = callback.Headers.Location!.OriginalString.Split('/', '?')[3];
        var atConnect = (await scenario.ConnectionAsync(id)).GetProperty("refreshTokenExpiresAt").GetDateTimeOffset();
        scenario.Clock.Advance(TimeSpan.FromDays(10));
        await RefreshAsync(scenario, id);
        var afterRefresh = (await scenario.ConnectionAsync(id)).GetProperty("refreshTokenExpiresAt").GetDateTimeOffset();

        Assert.Equal(connectedAt + TimeSpan.FromDays(60), atConnect);
        Assert.Equal(connectedAt + TimeSpan.FromDays(100), afterRefresh);
    }

    [Fact]
    public async Task Without_a_lifetime_from_the_answer_or_the_provider_the_expiry_stays_unknown()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();

        await RefreshAsync(scenario, id);

        Assert.Equal(JsonValueKind.Null, (await scenario.ConnectionAsync(id)).GetProperty("refreshTokenExpiresAt").ValueKind);
        Assert.DoesNotContain("Refresh token expires", await scenario.Proxy.Client.GetStringAsync($"/admin/connections/{id}"), StringComparison.Ordinal);
    }

    private static async Task RefreshAsync(RefreshScenario scenario, string id)
    {
        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
