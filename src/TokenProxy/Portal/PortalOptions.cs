namespace TokenProxy.Portal;

/// <summary>
/// <c>TokenProxy:Portal</c>: the pages people outside the admin surface open (a connect request's link, the client
/// portal): their rate limit, and how long a portal session lasts (docs/architecture.md §9, §10).
/// </summary>
internal sealed class PortalOptions
{
    public const string SectionName = "TokenProxy:Portal";

    /// <summary>The most <see cref="PermitsPerMinute"/> can be.</summary>
    public const int MaxPermitsPerMinute = 100_000;

    /// <summary>
    /// Requests one client address may make to those pages per minute (<see cref="PortalRateLimit"/>): enough for a person
    /// clicking through, far too few to guess a link's token or a session's value.
    /// </summary>
    /// <value>Default: 60; 1 to 100000.</value>
    public int PermitsPerMinute { get; set; } = 60;

    /// <summary>A portal session not used for this long ends.</summary>
    /// <value>Default: 1 hour; from 1 minute to <see cref="SessionLifetime"/>.</value>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A portal session ends this long after it started, however much it is used: the person opens their link again.</summary>
    /// <value>Default: 12 hours; from 1 minute to 7 days.</value>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);
}
