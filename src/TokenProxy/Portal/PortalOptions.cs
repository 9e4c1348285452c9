namespace TokenProxy.Portal;

/// <summary><c>TokenProxy:Portal</c>: the pages people outside the admin surface open (a connect request's link).</summary>
internal sealed class PortalOptions
{
    public const string SectionName = "TokenProxy:Portal";

    /// <summary>The most <see cref="PermitsPerMinute"/> can be.</summary>
    public const int MaxPermitsPerMinute = 100_000;

    /// <summary>
    /// Requests one client address may make to those pages per minute (<see cref="PortalRateLimit"/>): enough for a person
    /// clicking through, far too few to guess a link's token.
    /// </summary>
    /// <value>Default: 60; 1 to 100000.</value>
    public int PermitsPerMinute { get; set; } = 60;
}
