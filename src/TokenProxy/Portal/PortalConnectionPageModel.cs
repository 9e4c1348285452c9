namespace TokenProxy.Portal;

/// <summary>What <see cref="PortalConnectionPage"/> shows: one connection, and the outcome keyword of the action just taken.</summary>
internal sealed record PortalConnectionPageModel(string Workspace, PortalConnection Connection, string? Outcome);
