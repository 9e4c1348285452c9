namespace TokenProxy.Portal;

/// <summary>What <see cref="PortalConnectionsPage"/> shows: one workspace's connections and its outstanding requests.</summary>
internal sealed record PortalConnectionsPageModel(string Workspace, IReadOnlyList<PortalConnection> Connections, IReadOnlyList<OutstandingRequest> Requests);
