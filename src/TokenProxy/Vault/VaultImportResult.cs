namespace TokenProxy.Vault;

/// <summary>An export file read and checked (<see cref="VaultTransfer.ReadAsync"/>), nothing written yet; the vault key ids its secrets are sealed with.</summary>
internal sealed record VaultImport(IReadOnlyList<ConnectionRow> Connections, IReadOnlyList<WorkspaceRow> Workspaces, IReadOnlyList<string> KeyIds);

/// <summary>What an import did: rows added, rows whose id was already there (left alone), and rows refused because their provider and label belong to another connection.</summary>
internal sealed record VaultImportResult(int Imported, int AlreadyPresent, IReadOnlyList<string> Conflicts);
