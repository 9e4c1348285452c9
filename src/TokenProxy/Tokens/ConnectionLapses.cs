using System.Globalization;
using Microsoft.Extensions.Options;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// When a connection stops working without a person (docs/architecture.md §5): its refresh token's lapse, when the provider
/// or its policy says when; or, for a token nothing renews, its expiry. Within <c>Refresh:ExpiringWarning</c> of that, the
/// connection carries a warning (its JSON, the admin and portal pages) and the event log tells it once.
/// </summary>
internal sealed class ConnectionLapses(TimeProvider time, IOptions<RefreshOptions> options)
{
    /// <summary>The warning for <paramref name="row"/> now, if its lapse is near (or passed); null otherwise.</summary>
    public LapseWarning? WarningFor(ConnectionRow row) => WarningFor(row, time.GetUtcNow());

    public LapseWarning? WarningFor(ConnectionRow row, DateTimeOffset now)
    {
        if (row.Status != ConnectionStatus.Active || Of(row) is not var (token, at) || at - now > options.Value.ExpiringWarning)
        {
            return null;
        }

        var date = at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return at <= now
            ? new LapseWarning(token, at, true, $"Access lapsed on {date}: reconnect to continue.")
            : new LapseWarning(token, at, false, $"Access lapses on {date}: reconnect before then.");
    }

    /// <summary>
    /// What will stop working and when: the refresh token, when its lapse is known; or a token nothing renews (imported
    /// without a refresh token) at its expiry. A renewable access token's expiry is routine, not a lapse.
    /// </summary>
    public static (string Token, DateTimeOffset At)? Of(ConnectionRow row) =>
        row.RefreshToken is not null && row.RefreshTokenExpiresAt is { } refreshLapse ? ("refresh_token", refreshLapse)
        : !row.Renewable && row.AccessToken is not null && row.ExpiresAt is { } accessLapse ? ("access_token", accessLapse)
        : null;
}

/// <summary>A connection's coming (or past) lapse: which token, when, and the sentence a person is shown.</summary>
internal sealed record LapseWarning(string Token, DateTimeOffset At, bool Lapsed, string Text);
