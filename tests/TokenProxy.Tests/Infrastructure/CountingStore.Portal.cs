using TokenProxy.Vault;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>Portal links and sessions pass through to the real store, failing like it during a faked outage.</summary>
internal sealed partial class CountingStore : IPortalStore
{
    private IPortalStore Portal => (IPortalStore)inner;

    public Task<bool> TryInsertPortalLinkAsync(PortalLink link, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return Portal.TryInsertPortalLinkAsync(link, cancellationToken);
    }

    public Task<PortalLink?> FindPortalLinkAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return Portal.FindPortalLinkAsync(tokenHash, now, cancellationToken);
    }

    public Task<bool> TryInsertPortalSessionAsync(PortalSession session, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return Portal.TryInsertPortalSessionAsync(session, cancellationToken);
    }

    public Task<PortalSession?> FindPortalSessionAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return Portal.FindPortalSessionAsync(tokenHash, now, cancellationToken);
    }

    public Task<bool> TryRotatePortalSessionAsync(PortalSession rotated, string expectedHash, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return Portal.TryRotatePortalSessionAsync(rotated, expectedHash, cancellationToken);
    }

    public Task<int> EndPortalAccessAsync(string workspace, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return Portal.EndPortalAccessAsync(workspace, cancellationToken);
    }

    public Task PurgeExpiredPortalAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return Portal.PurgeExpiredPortalAsync(now, cancellationToken);
    }
}
