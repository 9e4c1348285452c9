using TokenProxy.Providers;
using TokenProxy.Events;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// What <see cref="ConnectionsPage"/> shows: the connections (of one workspace and end user when filtered), the providers,
/// the latest events of the log (of the workspace when filtered; newest first).
/// </summary>
internal sealed record ConnectionsPageModel(IReadOnlyList<ConnectionRow> Rows, ProviderCatalog Providers, IReadOnlyList<StoredEvent> Events)
{
    /// <summary>The workspace filter, if any.</summary>
    public string? Workspace { get; init; }

    /// <summary>The workspace's outstanding connect requests, shown while the page is filtered by workspace.</summary>
    public IReadOnlyList<ConnectRequestRow> Requests { get; init; } = [];

    /// <summary>Tells a connection whose access lapses soon (<c>Refresh:ExpiringWarning</c>), shown beside its status.</summary>
    public ConnectionLapses? Lapses { get; init; }

    /// <summary>The end user filter, if any.</summary>
    public string? EndUser { get; init; }

    /// <summary>True when the page shows one end user's connections, which can then be reset together.</summary>
    public bool OneEndUser => !string.IsNullOrEmpty(Workspace) && !string.IsNullOrEmpty(EndUser);
}
