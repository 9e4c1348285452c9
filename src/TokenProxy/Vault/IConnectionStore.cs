using TokenProxy.Events;

namespace TokenProxy.Vault;

/// <summary>
/// Persistence of connections: SQLite (one process) or PostgreSQL (several instances). Implementations
/// store rows as given — sealing happens above — and make every update compare-and-swap on
/// <see cref="ConnectionRow.Version"/>. When the store cannot be used (PostgreSQL unreachable, a SQLite file that
/// cannot be written) every operation throws <see cref="StoreUnavailableException"/>, and the store logs the outage
/// once when it starts and once when it ends.
/// </summary>
internal interface IConnectionStore : IConnectRequestStore
{
    /// <summary>Raised with a connection id after a write to it commits, here or (where the store can tell) in another instance.</summary>
    event Action<string>? Changed;

    /// <summary>
    /// A shared store raises it with false when it stops hearing of other instances' writes (its notification
    /// connection dropped: writes from then on may go unnoticed), and with true once it hears them again. Writes made
    /// in between are not reported: a cache re-reads the versions of what it holds (<see cref="GetVersionsAsync"/>).
    /// Raised on the store's listener task; handlers return quickly.
    /// </summary>
    event Action<bool>? ListeningChanged;

    /// <summary>Human-readable location for messages ("SQLite database /path/tokenproxy.db").</summary>
    string Description { get; }

    /// <summary>
    /// When this process last saw the store come back from an outage; null if it never saw one. A shared store's
    /// refresh locks do not outlive an outage, so for a while after it another instance may still be storing a refresh's
    /// answer (docs/architecture.md §5).
    /// </summary>
    DateTimeOffset? AvailableAgainAt { get; }

    /// <summary>Completes when the store's outage under way ends (any operation that succeeds ends it); completed when there is none.</summary>
    Task WhenAvailable { get; }

    /// <summary>Creates or migrates the schema; takes whatever exclusive hold the store needs.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>True when the store can be used now: it answers, and it is not in an outage (a SQLite file that cannot be written).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);

    Task<ConnectionRow?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>The provider's connection in <paramref name="scope"/> whose id or label equals <paramref name="idOrLabel"/> (id first).</summary>
    Task<ConnectionRow?> FindAsync(string provider, ConnectionScope scope, string idOrLabel, CancellationToken cancellationToken);

    Task<IReadOnlyList<ConnectionRow>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The stored versions of those of <paramref name="ids"/> that still exist, in one query.</summary>
    Task<IReadOnlyDictionary<string, long>> GetVersionsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts a new row at version 1; false when the provider already has that label in the row's scope (workspace, end
    /// user), or when the row's workspace does not exist (checked in the same statement).
    /// </summary>
    Task<bool> TryInsertAsync(ConnectionRow row, CancellationToken cancellationToken) => TryInsertAsync(row, [], cancellationToken);

    /// <summary>
    /// <see cref="TryInsertAsync(ConnectionRow, CancellationToken)"/> that appends <paramref name="events"/> to the event log in
    /// the same transaction: written if and only if the row is (docs/architecture.md, §10).
    /// </summary>
    Task<bool> TryInsertAsync(ConnectionRow row, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="row"/> if the stored version still equals <c>row.Version</c>, and returns the
    /// committed row (version + 1); null when someone else wrote first or the row is gone.
    /// </summary>
    Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, CancellationToken cancellationToken) => TryUpdateAsync(row, [], cancellationToken);

    /// <summary>
    /// <see cref="TryUpdateAsync(ConnectionRow, CancellationToken)"/> that appends <paramref name="events"/> in the same
    /// transaction: a compare-and-swap that loses writes no event.
    /// </summary>
    Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Records <paramref name="attempt"/> (a refresh about to be sent; null clears it) on the row if its version is still
    /// <paramref name="version"/>, committed before this returns. The version stays and nobody is told: no token changed, so
    /// no cached token is stale (docs/architecture.md §5). False when the row was written meanwhile or is gone.
    /// </summary>
    Task<bool> TryMarkRefreshAttemptAsync(string id, long version, RefreshAttempt? attempt, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => DeleteAsync(id, [], cancellationToken);

    /// <summary>Deletes the row and appends <paramref name="events"/> in the same transaction; neither when there was no row.</summary>
    Task<bool> DeleteAsync(string id, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="action"/> holding the connection's refresh lock. In-process single-flight is
    /// done above this; a shared store adds a cross-instance lock here. The action must re-read the row.
    /// </summary>
    /// <exception cref="TimeoutException">The cross-instance lock could not be had in time (another instance holds it).</exception>
    Task<T> RunExclusiveAsync<T>(string id, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken);

    Task<IReadOnlyList<WorkspaceRow>> ListWorkspacesAsync(CancellationToken cancellationToken);

    Task<WorkspaceRow?> GetWorkspaceAsync(string id, CancellationToken cancellationToken);

    /// <summary>Inserts a workspace; false when one with that id exists.</summary>
    Task<bool> TryInsertWorkspaceAsync(WorkspaceRow workspace, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the workspace row (its connections are dealt with above) and, in the same commit, cancels its outstanding
    /// connect requests as of <paramref name="now"/>: a workspace created again under that id revives no link. False when
    /// there was none.
    /// </summary>
    Task<bool> DeleteWorkspaceAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

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
