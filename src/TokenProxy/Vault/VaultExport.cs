namespace TokenProxy.Vault;

/// <summary>
/// The file <c>vault export</c> writes and <c>vault import</c> reads: connection rows exactly as stored, their token
/// fields still sealed. A sealed field is bound to its connection id and field name, not to a store, so rows keep their
/// ids and open with the same vault key wherever they are imported. Pending authorizations (minutes-long) are not included.
/// </summary>
internal sealed record VaultExport(string Format, int Version, DateTimeOffset ExportedAt, string Source, IReadOnlyList<ConnectionRow> Connections)
{
    public const string FormatName = "tokenproxy-vault-export";

    public const int CurrentVersion = 1;
}
