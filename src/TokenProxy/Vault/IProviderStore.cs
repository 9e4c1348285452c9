namespace TokenProxy.Vault;

/// <summary>
/// Provider entries written through the admin API (docs/architecture.md §13), kept in the connection store so every
/// instance on a shared store serves the same providers. Throws <see cref="StoreUnavailableException"/> like
/// <see cref="IConnectionStore"/>.
/// </summary>
internal interface IProviderStore
{
    /// <summary>
    /// Another instance wrote a provider, or this one may have missed such a write (its listener reconnected): read them
    /// again. Never raised by an embedded store, whose writes are all this process's own.
    /// </summary>
    event Action? ProvidersChanged;

    Task<IReadOnlyList<StoredProviderRow>> ListProvidersAsync(CancellationToken cancellationToken);

    /// <summary>Inserts the entry at version 1; false when one of that name exists.</summary>
    Task<bool> TryInsertProviderAsync(StoredProviderRow row, CancellationToken cancellationToken);

    /// <summary>Writes the entry if the stored version is still <see cref="StoredProviderRow.Version"/>, which becomes one more; false otherwise.</summary>
    Task<bool> TryUpdateProviderAsync(StoredProviderRow row, CancellationToken cancellationToken);

    /// <summary>Deletes the entry; false when there was none.</summary>
    Task<bool> DeleteProviderAsync(string name, CancellationToken cancellationToken);
}
