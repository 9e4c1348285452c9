using TokenProxy.Vault;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>The real store, counting the reads that could serve a token lookup; writes pass through. Shared with the benchmarks.</summary>
internal sealed class CountingStore(IConnectionStore inner) : IConnectionStore
{
    private long _reads;
    private long _versionQueries;

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

    /// <summary>Calls of <see cref="GetVersionsAsync"/>: one query each, however many ids.</summary>
    public long VersionQueries => Interlocked.Read(ref _versionQueries);

    public string Description => inner.Description;

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public Task<ConnectionRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return inner.GetAsync(id, cancellationToken);
    }

    public Task<ConnectionRow?> FindAsync(string provider, string idOrLabel, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return inner.FindAsync(provider, idOrLabel, cancellationToken);
    }

    public Task<IReadOnlyList<ConnectionRow>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> GetVersionsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _versionQueries);
        return inner.GetVersionsAsync(ids, cancellationToken);
    }

    public Task<bool> TryInsertAsync(ConnectionRow row, CancellationToken cancellationToken) => inner.TryInsertAsync(row, cancellationToken);

    public Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, CancellationToken cancellationToken) => inner.TryUpdateAsync(row, cancellationToken);

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => inner.DeleteAsync(id, cancellationToken);

    public Task<T> RunExclusiveAsync<T>(string id, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken) =>
        inner.RunExclusiveAsync(id, action, cancellationToken);

    public Task SavePendingAsync(PendingAuthorization pending, CancellationToken cancellationToken) => inner.SavePendingAsync(pending, cancellationToken);

    public Task<PendingAuthorization?> TakePendingAsync(string stateHash, CancellationToken cancellationToken) => inner.TakePendingAsync(stateHash, cancellationToken);

    public Task PurgeExpiredPendingAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.PurgeExpiredPendingAsync(now, cancellationToken);
}
