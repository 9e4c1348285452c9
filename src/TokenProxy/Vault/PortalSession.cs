namespace TokenProxy.Vault;

/// <summary>
/// A portal session as stored (docs/architecture.md §10): it opens one workspace's portal to the browser holding its
/// cookie. Only SHA-256 hashes of the cookie values are kept. <see cref="PreviousHash"/> is the value the last rotation
/// replaced, still accepted until <see cref="PreviousValidUntil"/> so requests already under way with it do not fail.
/// </summary>
internal sealed record PortalSession(
    string Id,
    string Workspace,
    string TokenHash,
    string? PreviousHash,
    DateTimeOffset? PreviousValidUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset RotatedAt,
    DateTimeOffset IdleExpiresAt,
    DateTimeOffset ExpiresAt);
