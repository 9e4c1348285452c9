namespace TokenProxy.Vault;

/// <summary>
/// Persistence of connections: SQLite (one process) or PostgreSQL (several instances). Implementations
/// store rows as given — sealing happens above — and make every update compare-and-swap on
/// <see cref="ConnectionRow.Version"/>.
/// </summary>
internal interface IConnectionStore
{
    /// <summary>
    /// The <see cref="Changed"/> argument meaning "any connection may have changed": a shared store raises it when it
    /// may have missed other instances' writes (its notification connection dropped), so caches drop everything.
    /// </summary>
    const string AllConnections = "*";

    /// <summary>
    /// Raised with a connection id after a write to it commits, here or (where the store can tell) in another instance;
    /// or with <see cref="AllConnections"/>.
    /// </summary>
    event Action<string>? Changed;

    /// <summary>Human-readable location for messages ("SQLite database /path/tokenproxy.db").</summary>
    string Description { get; }

    /// <summary>Creates or migrates the schema; takes whatever exclusive hold the store needs.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<bool> PingAsync(CancellationToken cancellationToken);

    Task<ConnectionRow?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>The provider's connection whose id or label equals <paramref name="idOrLabel"/> (id first).</summary>
    Task<ConnectionRow?> FindAsync(string provider, string idOrLabel, CancellationToken cancellationToken);

    Task<IReadOnlyList<ConnectionRow>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Inserts a new row at version 1; false when the provider already has that label.</summary>
    Task<bool> TryInsertAsync(ConnectionRow row, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="row"/> if the stored version still equals <c>row.Version</c>, and returns the
    /// committed row (version + 1); null when someone else wrote first or the row is gone.
    /// </summary>
    Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="action"/> holding the connection's refresh lock. In-process single-flight is
    /// done above this; a shared store adds a cross-instance lock here. The action must re-read the row.
    /// </summary>
    /// <exception cref="TimeoutException">The cross-instance lock could not be had in time (another instance holds it).</exception>
    Task<T> RunExclusiveAsync<T>(string id, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken);

    /// <summary>Saves a started authorization (its state's hash is the key).</summary>
    Task SavePendingAsync(PendingAuthorization pending, CancellationToken cancellationToken);

    /// <summary>
    /// Removes and returns the pending authorization with that state hash, atomically: of two callbacks with the
    /// same state, exactly one gets it. Null when there is none (unknown, already used, or purged).
    /// </summary>
    Task<PendingAuthorization?> TakePendingAsync(string stateHash, CancellationToken cancellationToken);

    /// <summary>Deletes pending authorizations that expired before <paramref name="now"/>.</summary>
    Task PurgeExpiredPendingAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
