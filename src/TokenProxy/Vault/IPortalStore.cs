namespace TokenProxy.Vault;

/// <summary>
/// Portal links and sessions, kept in the connection store so that every instance on a shared store honours them and
/// an operator can end them everywhere at once (docs/architecture.md §10). Keys are SHA-256 hashes of the random values
/// the browser holds; the values themselves are never stored. Every lookup ignores rows of a workspace that no longer
/// exists. Throws <see cref="StoreUnavailableException"/> like <see cref="IConnectionStore"/>.
/// </summary>
internal interface IPortalStore
{
    /// <summary>Inserts a link; false when its workspace does not exist (checked in the same statement).</summary>
    Task<bool> TryInsertPortalLinkAsync(PortalLink link, CancellationToken cancellationToken);

    /// <summary>The link with that token hash, unless it expired at <paramref name="now"/>.</summary>
    Task<PortalLink?> FindPortalLinkAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Inserts a session; false when its workspace does not exist (checked in the same statement).</summary>
    Task<bool> TryInsertPortalSessionAsync(PortalSession session, CancellationToken cancellationToken);

    /// <summary>
    /// The session whose current value, or whose previous value still in its grace period, has that hash; null when there
    /// is none or it expired (idle or absolute) at <paramref name="now"/>.
    /// </summary>
    Task<PortalSession?> FindPortalSessionAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="rotated"/> (new value hash, previous hash, times) if the stored current hash is still
    /// <paramref name="expectedHash"/>; false when another request rotated it first or it was ended.
    /// </summary>
    Task<bool> TryRotatePortalSessionAsync(PortalSession rotated, string expectedHash, CancellationToken cancellationToken);

    /// <summary>Deletes every session and link of the workspace; the number of sessions ended.</summary>
    Task<int> EndPortalAccessAsync(string workspace, CancellationToken cancellationToken);

    /// <summary>Deletes sessions and links that expired before <paramref name="now"/>.</summary>
    Task PurgeExpiredPortalAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
