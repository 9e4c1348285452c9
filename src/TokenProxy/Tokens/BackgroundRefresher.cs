using Microsoft.Extensions.Options;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// Refreshes connections before a request has to wait for it, and keeps idle ones alive: every
/// <c>Refresh:BackgroundInterval</c> it refreshes active connections expiring within the skew plus one
/// interval, and those whose refresh token has not been used for <c>Refresh:IdleRefreshAfter</c> or half the provider's
/// <c>RefreshTokenIdleLifetime</c>, whichever is sooner (so an
/// unused connection does not die, and a revoked one shows <c>error</c> before an app needs it). Each
/// connection gets a random delay within the interval, so many tokens expiring together do not stampede
/// the token endpoint; <see cref="TokenRefresher"/> also caps concurrency per endpoint.
/// </summary>
internal sealed class BackgroundRefresher(
    IConnectionStore store, TokenRefresher refresher, RefreshSchedule schedule, TimeProvider time, IOptions<RefreshOptions> options,
    TokenInstrumentation instrumentation, ILogger<BackgroundRefresher> logger)
    : BackgroundService
{
    private readonly RefreshOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.BackgroundInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var rows = await store.ListAsync(stoppingToken);
                instrumentation.CountConnections(rows);
                await RemoveAbandonedAsync(rows, stoppingToken);
                if (_options.Background)
                {
                    await RunOnceAsync(jitter: true, stoppingToken);
                }
            }
            catch (StoreUnavailableException)
            {
                // The store logs its outage once; the next pass runs on schedule.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.BackgroundPassFailed(logger, e);
            }
        }
    }

    /// <summary>One pass: refreshes every connection that is due or idle; returns how many were attempted.</summary>
    public async Task<int> RunOnceAsync(bool jitter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var candidates = (await store.ListAsync(cancellationToken))
            .Where(r => r.Status == ConnectionStatus.Active && r.Renewable)
            .Where(r => schedule.IsDue(r, now + _options.BackgroundInterval) || schedule.IsIdle(r, now))
            .ToList();

        await Task.WhenAll(candidates.Select(async row =>
        {
            // Spread the herd over the interval, but never past the point where the token is due, and never so far ahead
            // of it that a short-lived token is thrown away with most of its life left (it would be refreshed twice per lifetime).
            var (earliest, latest) = (TimeSpan.Zero, _options.BackgroundInterval);
            if (schedule.DueAt(row) is { } due && due - now <= _options.BackgroundInterval)
            {
                earliest = Max(TimeSpan.Zero, due - now - RefreshSchedule.AheadAllowance(row, _options.BackgroundInterval));
                latest = Max(earliest, due - now);
            }

            var delay = earliest + (jitter ? Random.Shared.NextDouble() * (latest - earliest) : TimeSpan.Zero);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, cancellationToken);
            }

            await refresher.RefreshAsync(row.Id, RefreshReason.Background, row.Version, cancellationToken);
        }));
        return candidates.Count;
    }

    /// <summary>
    /// A connect that was never finished leaves a pending connection with no credentials. Once its
    /// authorization has long expired nobody can finish it: remove it (it never held anything to lose).
    /// </summary>
    public async Task<int> RemoveAbandonedAsync(IReadOnlyList<ConnectionRow> rows, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - AuthorizationFlow.Lifetime - TimeSpan.FromHours(1);
        var removed = 0;
        foreach (var row in rows.Where(r => r is { Status: ConnectionStatus.Pending, AccessToken: null, RefreshToken: null } && r.UpdatedAt < cutoff))
        {
            // Re-read: it may have been connected a moment ago.
            if (await store.GetAsync(row.Id, cancellationToken) is { Status: ConnectionStatus.Pending, AccessToken: null } current && current.Version == row.Version)
            {
                removed += await store.DeleteAsync(row.Id, cancellationToken) ? 1 : 0;
            }
        }

        return removed;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
