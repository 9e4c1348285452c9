namespace TokenProxy.Vault;

/// <summary>
/// Which vault keys the instances sharing a store hold: each records its key ids while it runs (<see cref="VaultKeyHolding"/>),
/// so that a rotation never re-seals the rows under a key a running instance lacks, which would stop every connection
/// there (docs/architecture.md §4). Only a shared (PostgreSQL) store has several instances, and this.
/// </summary>
internal interface IKeyHolders
{
    /// <summary>Records (or renews) that <paramref name="instance"/> holds <paramref name="keyIds"/>, as of the database's clock.</summary>
    Task RecordKeysAsync(string instance, IReadOnlyList<string> keyIds, CancellationToken cancellationToken);

    /// <summary>Removes the record of an instance that stops.</summary>
    Task ForgetAsync(string instance, CancellationToken cancellationToken);

    /// <summary>The instances that renewed their record within <paramref name="seenWithin"/>, with the key ids each holds.</summary>
    Task<IReadOnlyList<KeyHolder>> KeyHoldersAsync(TimeSpan seenWithin, CancellationToken cancellationToken);
}

/// <summary>One running instance and the key ids it holds.</summary>
internal sealed record KeyHolder(string Instance, IReadOnlyList<string> KeyIds);
