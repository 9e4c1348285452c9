namespace TokenProxy.Vault;

/// <summary>
/// Where a connection is looked for: a workspace (or none) and an end user (or none). A label is unique within a
/// provider and a scope, and a request only ever reaches the connections of its own scope: a connection that has an end
/// user is chosen only when the request names that end user (docs/architecture.md §2).
/// </summary>
internal readonly record struct ConnectionScope(string? Workspace, string? EndUser)
{
    /// <summary>No workspace, no end user: every connection made before workspaces existed.</summary>
    public static readonly ConnectionScope None;

    /// <summary>True when <paramref name="row"/> is in this scope.</summary>
    public bool Holds(ConnectionRow row) => row.Workspace == Workspace && row.EndUser?.Id == EndUser;
}
