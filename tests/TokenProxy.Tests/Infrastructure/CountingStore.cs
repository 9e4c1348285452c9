using TokenProxy.Events;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// The real store, counting the reads that could serve a token lookup; writes pass through. <see cref="Unavailable"/>
/// fakes an outage: every call then fails as the real stores fail when their database cannot be used. Shared with the
/// benchmarks.
/// </summary>
internal sealed partial class CountingStore(IConnectionStore inner) : IConnectionStore
{
    private long _reads;
    private long _versionQueries;

    /// <summary>Puts a counting store around the one the host registers; <paramref name="created"/> gets it when the host builds it.</summary>
    public static void Wrap(IServiceCollection services, Action<CountingStore> created)
    {
        var inner = services.Single(d => d.ServiceType == typeof(IConnectionStore));
        services.Remove(inner);
        services.AddSingleton<IConnectionStore>(sp =>
        {
            var store = new CountingStore((IConnectionStore)inner.ImplementationFactory!(sp));
            created(store);
            return store;
        });
    }

    public event Action<string>? Changed
    {
        add => inner.Changed += value;
        remove => inner.Changed -= value;
    }

    public event Action<bool>? ListeningChanged
    {
        add => inner.ListeningChanged += value;
        remove => inner.ListeningChanged -= value;
    }

    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>While true, every operation throws <see cref="StoreUnavailableException"/>; setting it false ends the outage (<see cref="WhenAvailable"/>).</summary>
    public bool Unavailable
    {
        get => Volatile.Read(ref _outageEnds) is not null;
        set
        {
            if (value)
            {
                Interlocked.CompareExchange(ref _outageEnds, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
            }
            else
            {
                Interlocked.Exchange(ref _outageEnds, null)?.TrySetResult();
            }
        }
    }

    private TaskCompletionSource? _outageEnds;

    /// <summary>The faked outage's end while one is under way, else the inner store's.</summary>
    public Task WhenAvailable => Volatile.Read(ref _outageEnds)?.Task ?? inner.WhenAvailable;

    /// <summary><see cref="GetAsync"/> and <see cref="FindAsync"/> (counted in <see cref="Reads"/>) answer once this completes: to hold a burst of lookups together.</summary>
    public Task ReadsHeldUntil { get; set; } = Task.CompletedTask;

    /// <summary><see cref="GetVersionsAsync"/> answers once this completes: to hold a version check half-way.</summary>
    public Task VersionsHeldUntil { get; set; } = Task.CompletedTask;

    /// <summary>Completed when <see cref="TryInsertAsync(ConnectionRow, IReadOnlyList{NewEvent}, CancellationToken)"/> is first called: the insert has passed every check before it.</summary>
    public TaskCompletionSource InsertReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary><see cref="TryInsertAsync(ConnectionRow, IReadOnlyList{NewEvent}, CancellationToken)"/> inserts once this completes: to hold an import between its checks and its write.</summary>
    public Task InsertsHeldUntil { get; set; } = Task.CompletedTask;

    /// <summary><see cref="PingAsync"/> answers once this completes, whatever its caller's cancellation: a database that hangs.</summary>
    public Task PingsHeldUntil { get; set; } = Task.CompletedTask;

    /// <summary>Calls of <see cref="GetVersionsAsync"/>: one query each, however many ids.</summary>
    public long VersionQueries => Interlocked.Read(ref _versionQueries);

    public string Description => inner.Description;

    /// <summary>The inner store's, unless a test says when the store came back (<see cref="Unavailable"/> fakes outages the inner store never sees).</summary>
    public DateTimeOffset? AvailableAgainAt
    {
        get => _availableAgainAt ?? inner.AvailableAgainAt;
        set => _availableAgainAt = value;
    }

    private DateTimeOffset? _availableAgainAt;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.InitializeAsync(cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        // Not cancellable: a driver opening a connection to a frozen server does not always heed cancellation either.
        await PingsHeldUntil;
        return !Unavailable && await inner.PingAsync(cancellationToken);
    }

    public async Task<ConnectionRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        Interlocked.Increment(ref _reads);
        await ReadsHeldUntil;
        return await inner.GetAsync(id, cancellationToken);
    }

    public async Task<ConnectionRow?> FindAsync(string provider, ConnectionScope scope, string idOrLabel, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        Interlocked.Increment(ref _reads);
        await ReadsHeldUntil;
        return await inner.FindAsync(provider, scope, idOrLabel, cancellationToken);
    }

    public Task<IReadOnlyList<WorkspaceRow>> ListWorkspacesAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.ListWorkspacesAsync(cancellationToken);
    }

    public Task<WorkspaceRow?> GetWorkspaceAsync(string id, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.GetWorkspaceAsync(id, cancellationToken);
    }

    public Task<bool> TryInsertWorkspaceAsync(WorkspaceRow workspace, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.TryInsertWorkspaceAsync(workspace, cancellationToken);
    }

    public Task<bool> DeleteWorkspaceAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.DeleteWorkspaceAsync(id, now, cancellationToken);
    }

    public Task<IReadOnlyList<ConnectionRow>> ListAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.ListAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, long>> GetVersionsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        Interlocked.Increment(ref _versionQueries);
        await VersionsHeldUntil;
        return await inner.GetVersionsAsync(ids, cancellationToken);
    }

    public Task<bool> TryInsertAsync(ConnectionRow row, CancellationToken cancellationToken) => TryInsertAsync(row, [], cancellationToken);

    public Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, CancellationToken cancellationToken) => TryUpdateAsync(row, [], cancellationToken);

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => DeleteAsync(id, [], cancellationToken);

    public async Task<bool> TryInsertAsync(ConnectionRow row, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        InsertReached.TrySetResult();
        await InsertsHeldUntil;
        return await inner.TryInsertAsync(row, events, cancellationToken);
    }

    public Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.TryUpdateAsync(row, events, cancellationToken);
    }

    public Task<bool> DeleteAsync(string id, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.DeleteAsync(id, events, cancellationToken);
    }

    public Task<bool> TryMarkRefreshAttemptAsync(string id, long version, RefreshAttempt? attempt, CancellationToken cancellationToken) =>
        inner.TryMarkRefreshAttemptAsync(id, version, attempt, cancellationToken);

    public Task<T> RunExclusiveAsync<T>(string id, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken) =>
        inner.RunExclusiveAsync(id, action, cancellationToken);

    public Task SavePendingAsync(PendingAuthorization pending, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.SavePendingAsync(pending, cancellationToken);
    }

    public Task<PendingAuthorization?> TakePendingAsync(string stateHash, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.TakePendingAsync(stateHash, cancellationToken);
    }

    public Task PurgeExpiredPendingAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return inner.PurgeExpiredPendingAsync(now, cancellationToken);
    }

    public Task<bool> TryInsertConnectRequestAsync(ConnectRequestRow request, CancellationToken cancellationToken) =>
        Checked(() => inner.TryInsertConnectRequestAsync(request, cancellationToken));

    public Task<ConnectRequestRow?> GetConnectRequestAsync(string id, CancellationToken cancellationToken) =>
        Checked(() => inner.GetConnectRequestAsync(id, cancellationToken));

    public Task<ConnectRequestRow?> FindConnectRequestAsync(string tokenHash, CancellationToken cancellationToken) =>
        Checked(() => inner.FindConnectRequestAsync(tokenHash, cancellationToken));

    public Task<IReadOnlyList<ConnectRequestRow>> ListConnectRequestsAsync(string? workspace, CancellationToken cancellationToken) =>
        Checked(() => inner.ListConnectRequestsAsync(workspace, cancellationToken));

    public Task<ConnectRequestRow?> TryCancelConnectRequestAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        Checked(() => inner.TryCancelConnectRequestAsync(id, now, cancellationToken));

    public Task<bool> TryClaimConnectRequestAsync(string id, string connectionId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Checked(() => inner.TryClaimConnectRequestAsync(id, connectionId, now, cancellationToken));

    public Task ReleaseConnectRequestAsync(string id, string connectionId, CancellationToken cancellationToken) =>
        Checked(() => inner.ReleaseConnectRequestAsync(id, connectionId, cancellationToken));

    private T Checked<T>(Func<T> call)
    {
        ThrowIfUnavailable();
        return call();
    }

    private void ThrowIfUnavailable()
    {
        if (Unavailable)
        {
            throw new StoreUnavailableException("The store is unavailable (faked by the test).");
        }
    }
}
