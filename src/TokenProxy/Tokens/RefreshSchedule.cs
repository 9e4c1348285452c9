using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// When a token is due for refresh: <c>Refresh:Skew</c> (or the provider's <c>RefreshSkew</c>) before it expires, as long
/// as that leaves the token at least half of its lifetime as received (counted from when it was stored — connect, refresh
/// or import — like its expiry). A token living less than twice the skew (30 s against the default minute) is refreshed
/// when 90 % of its lifetime has passed instead: about once per lifetime, never on every request, and a refresh never
/// yields a token that is due at once.
/// </summary>
internal sealed class RefreshSchedule(ProviderCatalog providers, IOptions<RefreshOptions> options, ILogger<RefreshSchedule> logger)
{
    /// <summary>A token too short for the skew is refreshed this share of its lifetime before it expires.</summary>
    private const int ShortLivedShare = 10;

    private readonly TimeSpan _skew = options.Value.Skew;
    private readonly TimeSpan _idleRefreshAfter = options.Value.IdleRefreshAfter;

    // Connections whose configured skew does not fit their tokens' lifetime: said once each, not per request.
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the row's refresh token has gone unused long enough that the background refresher should use it:
    /// <c>Refresh:IdleRefreshAfter</c>, or half the provider's <c>RefreshTokenIdleLifetime</c> when that is sooner, so a grant
    /// that lapses unused is kept alive with one refresh per half idle window, no more (docs/architecture.md §5).
    /// </summary>
    public bool IsIdle(ConnectionRow row, DateTimeOffset now)
    {
        var after = providers.TryGet(row.Provider, out var provider) && provider.RefreshTokenIdleLifetime is { } idle && idle / 2 < _idleRefreshAfter
            ? idle / 2
            : _idleRefreshAfter;
        return now - (row.LastRefreshedAt ?? row.CreatedAt) >= after;
    }

    /// <summary>When the row's access token is due for refresh; null when it has no expiry (only a 401 refreshes it).</summary>
    public DateTimeOffset? DueAt(ConnectionRow row)
    {
        if (row.ExpiresAt is not { } expiresAt)
        {
            return null;
        }

        var skew = SkewFor(row.Provider);
        var lifetime = Lifetime(row, expiresAt);
        if (skew <= lifetime / 2)
        {
            return expiresAt - skew;
        }

        var shortened = ShortLivedMargin(lifetime);
        if (_warned.TryAdd(row.Id, 0))
        {
            Log.SkewLongerThanLifetime(logger, row.Id, row.Provider, skew, lifetime, shortened);
        }

        return expiresAt - shortened;
    }

    /// <summary>True when the row's token is due for refresh at <paramref name="at"/>.</summary>
    public bool IsDue(ConnectionRow row, DateTimeOffset at) => DueAt(row) <= at;

    /// <summary>
    /// How far ahead of <see cref="DueAt"/> a refresh is still worth doing: up to <paramref name="lead"/>, but no more than a
    /// tenth of the token's lifetime — refreshing earlier would throw away much of a short-lived token.
    /// </summary>
    public static TimeSpan AheadAllowance(ConnectionRow row, TimeSpan lead) =>
        row.ExpiresAt is { } expiresAt && ShortLivedMargin(Lifetime(row, expiresAt)) is var share && share < lead ? share : lead;

    private static TimeSpan ShortLivedMargin(TimeSpan lifetime) => lifetime > TimeSpan.Zero ? lifetime / ShortLivedShare : TimeSpan.Zero;

    /// <summary>The token's lifetime from local receipt: its refresh or connect, or (never refreshed) its import.</summary>
    private static TimeSpan Lifetime(ConnectionRow row, DateTimeOffset expiresAt) => expiresAt - (row.LastRefreshedAt ?? row.CreatedAt);

    private TimeSpan SkewFor(string provider) =>
        providers.TryGet(provider, out var definition) && definition.RefreshSkew is { } skew ? skew : _skew;
}
