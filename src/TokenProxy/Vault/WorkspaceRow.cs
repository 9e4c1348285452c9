namespace TokenProxy.Vault;

/// <summary>
/// A workspace as stored: one client company of an agency, or one team. Its connections carry its id; it must exist
/// before a connection is imported or connected into it, so a mistyped name is refused instead of starting a new one.
/// </summary>
internal sealed record WorkspaceRow(string Id, string DisplayName, DateTimeOffset CreatedAt);
