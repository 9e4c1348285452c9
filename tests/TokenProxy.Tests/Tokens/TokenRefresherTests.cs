using TokenProxy.OAuth;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// <see cref="TokenRefresher"/> called directly, on the fake clock, over the real SQLite store and a scripted token endpoint
/// (docs/architecture.md §5): what one refresh leaves in the store and which <see cref="FailureKind"/> it reports.
/// </summary>
public sealed class TokenRefresherTests
{
    [Fact]
    public async Task A_refresh_commits_the_rotated_tokens_together_and_returns_the_stored_row()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        var before = await scenario.Service<IConnectionStore>().GetAsync(id, CancellationToken.None);

        var refreshed = await scenario.Service<TokenRefresher>().RefreshAsync(id, RefreshReason.Manual, seenVersion: null, CancellationToken.None);

        Assert.True(refreshed.Succeeded);
        Assert.Equal(before!.Version + 1, refreshed.Value.Version);
        Assert.Equal(("access-1", "refresh-1"), Open(scenario, refreshed.Value));
        Assert.Equal(scenario.Clock.GetUtcNow().AddHours(1), refreshed.Value.ExpiresAt);
        var stored = await scenario.Service<IConnectionStore>().GetAsync(id, CancellationToken.None);
        Assert.Equal((refreshed.Value.Version, refreshed.Value.AccessToken, refreshed.Value.RefreshToken), (stored!.Version, stored.AccessToken, stored.RefreshToken));
    }

    [Fact]
    public async Task Invalid_grant_puts_the_connection_in_error_and_carries_the_providers_error_and_description()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant","error_description":"Refresh token expired"}""");

        var refreshed = await scenario.Service<TokenRefresher>().RefreshAsync(id, RefreshReason.Manual, seenVersion: null, CancellationToken.None);

        Assert.Equal(new TokenFailure(FailureKind.Rejected, "invalid_grant", "Refresh token expired", HttpStatus: 400), refreshed.Failure);
        Assert.Equal(ConnectionStatus.Error, refreshed.Value!.Status);
        Assert.Equal(("invalid_grant", "Refresh token expired"), (refreshed.Value.LastError!.Code, refreshed.Value.LastError.Description));
    }

    [Fact]
    public async Task A_5xx_is_retried_with_backoff_on_the_clock_then_reported_transient_and_the_tokens_and_status_stay()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(502);
        var refresher = scenario.Service<TokenRefresher>();

        var refreshed = await scenario.Clock.RunAsync(() => refresher.RefreshAsync(id, RefreshReason.Manual, seenVersion: null, CancellationToken.None));

        Assert.Equal(3, scenario.Authorization.Calls);
        Assert.Equal((FailureKind.Transient, "http_502", 502), (refreshed.Failure!.Kind, refreshed.Failure.Error, refreshed.Failure.HttpStatus));
        var row = await scenario.Service<IConnectionStore>().GetAsync(id, CancellationToken.None);
        Assert.Equal(ConnectionStatus.Active, row!.Status);
        Assert.Equal(("stale", "refresh-0"), Open(scenario, row));
        Assert.Equal("http_502", row.LastError!.Code);
    }

    [Fact]
    public async Task A_connection_revoked_before_the_refresh_is_reported_revoked_without_calling_the_token_endpoint()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        using var revoke = ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke");
        (await scenario.Proxy.Client.SendAsync(revoke)).EnsureSuccessStatusCode();

        var refreshed = await scenario.Service<TokenRefresher>().RefreshAsync(id, RefreshReason.Manual, seenVersion: null, CancellationToken.None);
        var deleted = await scenario.Service<TokenRefresher>().RefreshAsync("conn_missing", RefreshReason.Manual, seenVersion: null, CancellationToken.None);

        Assert.Equal(FailureKind.Revoked, refreshed.Failure!.Kind);
        Assert.Equal(ConnectionStatus.Revoked, refreshed.Value!.Status);
        Assert.Equal(FailureKind.NotConnected, deleted.Failure!.Kind);
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_connection_without_a_refresh_token_is_not_refreshable()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync(refresh: null);

        var refreshed = await scenario.Service<TokenRefresher>().RefreshAsync(id, RefreshReason.Manual, seenVersion: null, CancellationToken.None);

        Assert.Equal(FailureKind.NotRefreshable, refreshed.Failure!.Kind);
        Assert.Equal(ConnectionStatus.Active, refreshed.Value!.Status);
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Concurrent_refreshes_after_a_401_to_the_same_token_call_the_token_endpoint_once()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        var seen = (await scenario.Service<IConnectionStore>().GetAsync(id, CancellationToken.None))!.Version;
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refresher = scenario.Service<TokenRefresher>();

        var refreshes = Enumerable.Range(0, 20)
            .Select(_ => refresher.RefreshAsync(id, RefreshReason.Upstream401, seen, CancellationToken.None))
            .ToList();
        await scenario.Authorization.FirstCall.Task;
        scenario.Authorization.Hold.SetResult();
        var results = await Task.WhenAll(refreshes);
        var later = await refresher.RefreshAsync(id, RefreshReason.Upstream401, seen, CancellationToken.None);

        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.All(results, result => Assert.Equal(seen + 1, result.Value!.Version));
        // A 401 to a token that is no longer the stored one refreshes nothing: the stored token is the answer.
        Assert.True(later.Succeeded);
        Assert.Equal(seen + 1, later.Value.Version);
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    private static (string? Access, string? Refresh) Open(RefreshScenario scenario, ConnectionRow row)
    {
        var sealer = scenario.Service<SecretSealer>();
        sealer.TryOpen(row.Id, SecretSealer.AccessTokenField, row.AccessToken!, out var access);
        sealer.TryOpen(row.Id, SecretSealer.RefreshTokenField, row.RefreshToken!, out var refresh);
        return (access, refresh);
    }
}
