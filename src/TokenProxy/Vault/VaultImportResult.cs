namespace TokenProxy.Vault;

/// <summary>What an import did: rows added, rows whose id was already there (left alone), and rows refused because their provider and label belong to another connection.</summary>
internal sealed record VaultImportResult(int Imported, int AlreadyPresent, IReadOnlyList<string> Conflicts, IReadOnlyList<string> KeyIds);
