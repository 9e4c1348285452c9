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

    /// <summary>
    /// How many TokenProxy processes are connected to the store now, counted by their change listeners: one that keeps no
    /// record (a TokenProxy from before records were kept) is among them and not among the holders.
    /// </summary>
    Task<int> ConnectedInstancesAsync(CancellationToken cancellationToken);
}

/// <summary>One running instance (host/process/id), the key ids it holds, and how long ago it last renewed its record.</summary>
internal sealed record KeyHolder(string Instance, IReadOnlyList<string> KeyIds, TimeSpan Age);
