using System.ComponentModel.DataAnnotations;

namespace TokenProxy.Tokens;

/// <summary>
/// <c>TokenProxy:Refresh</c>: when and how tokens are refreshed (docs/architecture.md, §5). A <see cref="RangeAttribute"/>
/// states the range a setting must be in; <see cref="RefreshOptionsValidator"/> names every setting outside it at startup.
/// </summary>
internal sealed class RefreshOptions
{
    public const string SectionName = "TokenProxy:Refresh";

    /// <summary>The largest <see cref="MaxReplayBodyBytes"/>: a replayable body is held in memory.</summary>
    public const long MaxReplayBodyLimit = 64 * 1024 * 1024;

    /// <summary>
    /// A token expiring within this margin is refreshed before use, while the margin is at most half the token's lifetime;
    /// a shorter-lived token is refreshed at 90 % of its lifetime instead.
    /// </summary>
    /// <value>Default: 1 minute; 0 to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan Skew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Request bodies up to this size are buffered so a request can be replayed after an upstream 401.</summary>
    /// <value>Default: 1 MiB; 0 to 64 MiB.</value>
    public long MaxReplayBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a request (or a person, or the background pass) waits for a refresh, retries included; then it gets a
    /// transient <c>timeout</c>. The refresh itself goes on for <see cref="LateAnswer"/> more, so a token endpoint that
    /// answers late still has its answer (and a rotated refresh token in it) kept.
    /// </summary>
    /// <value>Default: 30 seconds; 1 second to 10 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How much longer than <see cref="Timeout"/> a refresh still waits for the token endpoint's answer.</summary>
    internal static readonly TimeSpan LateAnswer = TimeSpan.FromMinutes(2);

    /// <summary>The longest a refresh runs: <see cref="Timeout"/> and <see cref="LateAnswer"/>.</summary>
    internal TimeSpan RunLimit => Timeout + LateAnswer;

    /// <summary>
    /// After an upstream 401 led to a refresh, a 401 to the new token refreshes again only after this, unless the API
    /// accepted that token in between (then its 401 refreshes at once).
    /// </summary>
    /// <value>Default: 30 seconds; 0 to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan UnauthorizedBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Background refresh: on/off.</summary>
    /// <value>Default: on.</value>
    public bool Background { get; set; } = true;

    /// <summary>How often the background refresher looks for connections to refresh (a <c>PeriodicTimer</c> period).</summary>
    /// <value>Default: 30 seconds; 1 second to 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan BackgroundInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A refresh token unused this long is refreshed anyway, so idle connections stay alive and dead ones show up early.</summary>
    /// <value>Default: 1 day; 1 minute to 365 days.</value>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan IdleRefreshAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// A refresh token, or a token nothing renews, lapsing within this is shown as a warning on the connection (its JSON, the
    /// admin and portal pages) and told once (<c>connection.expiring</c>). <c>TokenProxy:Events:ExpiringWithin</c>, its
    /// former name, is read when this is not set.
    /// </summary>
    /// <value>Default: 7 days; 1 hour to 365 days.</value>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan ExpiringWarning { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The former name of <see cref="ExpiringWarning"/>, still read when that is not set.</summary>
    public const string FormerExpiringWarningKey = "TokenProxy:Events:ExpiringWithin";

    /// <summary>At most this many refreshes run at once against one token endpoint (a <c>SemaphoreSlim</c> count).</summary>
    /// <value>Default: 4; 1 to 64.</value>
    [Range(1, 64)]
    public int MaxConcurrentPerEndpoint { get; set; } = 4;
}
