namespace TokenProxy.Vault;

/// <summary>
/// The file <c>vault export</c> writes and <c>vault import</c> reads: connection rows exactly as stored, their token
/// fields still sealed. A sealed field is bound to its connection id and field name, not to a store, so rows keep their
/// ids and open with the same vault key wherever they are imported. Pending authorizations (minutes-long) are not included.
/// The workspaces (with their display names, those without connections too) came later and are optional: a file written
/// before has none, and its connections' workspaces are made from their ids.
/// </summary>
internal sealed record VaultExport(
    string Format, int Version, DateTimeOffset ExportedAt, string Source, IReadOnlyList<ConnectionRow> Connections, IReadOnlyList<WorkspaceRow>? Workspaces = null)
{
    public const string FormatName = "tokenproxy-vault-export";

    public const int CurrentVersion = 1;
}
