using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// Decrypted credentials by (provider, scope, id-or-label), evicted whenever the store reports a write to the
/// connection (refresh, revoke, delete — here, or in another instance for a shared store). An entry
/// read from the store is only kept if no eviction happened while it was being read, so a slow read
/// can never put back a version that a concurrent write already replaced.
/// </summary>
/// <remarks>
/// When a shared store stops hearing of other instances' writes (its notification connection dropped, usually because
/// the database is down), entries are not dropped: they become unconfirmed and keep serving, so an outage of the
/// database does not take down requests whose tokens are cached. The staleness this allows (stated in the README): a
/// revoke made on another instance meanwhile is not seen until the store is heard again, for at most
/// <c>Store:MaxStaleness</c>, and never past the token's own expiry (an expired token needs the store to be refreshed).
/// Once the store is heard again, the versions of every entry are re-read in one query and only the entries that
/// changed or vanished are evicted.
/// </remarks>
internal sealed class CredentialCache
{
    private readonly ConcurrentDictionary<(string Provider, ConnectionScope Scope, string Selector), CachedCredential> _bySelector = new();
    private readonly ConcurrentDictionary<string, CachedCredential> _byId = new(StringComparer.Ordinal);
    private readonly IConnectionStore _store;
    private readonly TimeProvider _time;
    private readonly long _maxStalenessTicks;
    private readonly ILogger<CredentialCache> _logger;
    private long _epoch;

    // UTC ticks since when the entries are unconfirmed (0: confirmed); and how many times the store stopped hearing,
    // so a reconcile that began before a newer loss does not confirm entries that loss made stale.
    private long _unconfirmedSince;
    private long _losses;

    public CredentialCache(IConnectionStore store, TimeProvider time, IOptions<StoreOptions> options, ILogger<CredentialCache> logger)
    {
        _store = store;
        _time = time;
        _maxStalenessTicks = options.Value.MaxStaleness.Ticks;
        _logger = logger;
        store.Changed += Evict;
        store.ListeningChanged += listening =>
        {
            if (listening)
            {
                _ = ReconcileAsync();
            }
            else
            {
                MarkUnconfirmed();
            }
        };
    }

    /// <summary>Changes on every eviction; capture it before a store read and pass it to <see cref="Add"/>.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    public int Count => _byId.Count;

    /// <summary>True while the store cannot tell this cache about other instances' writes.</summary>
    public bool IsUnconfirmed => Interlocked.Read(ref _unconfirmedSince) != 0;

    /// <summary>The cached credential; none once entries have been unconfirmed for longer than <c>Store:MaxStaleness</c>.</summary>
    public bool TryGet(string provider, ConnectionScope scope, string selector, [NotNullWhen(true)] out CachedCredential? credential)
    {
        if (!_bySelector.TryGetValue((provider, scope, selector), out credential))
        {
            return false;
        }

        var since = Interlocked.Read(ref _unconfirmedSince);
        if (since != 0 && _time.GetUtcNow().UtcTicks - since > _maxStalenessTicks)
        {
            // Too long without hearing of other instances' writes: ask the store (which answers, or 503 store_unavailable).
            credential = null;
            return false;
        }

        return true;
    }

    public void Add(ConnectionScope scope, string selector, CachedCredential credential, long epochBeforeRead)
    {
        _bySelector[(credential.Provider, scope, selector)] = credential;
        _byId[credential.ConnectionId] = credential;
        // An eviction raced the read: drop what we just added; the next request reads again.
        if (Epoch != epochBeforeRead)
        {
            Evict(credential.ConnectionId);
        }
    }

    public void Evict(string connectionId)
    {
        Interlocked.Increment(ref _epoch);
        _byId.TryRemove(connectionId, out _);
        // Scan rather than trust the id map: a late Add of an older version can replace the id entry, and every
        // selector (label or id) still holding this connection must go. Writes are rare; lookups stay O(1).
        foreach (var entry in _bySelector)
        {
            if (entry.Value.ConnectionId == connectionId)
            {
                _bySelector.TryRemove(entry);
            }
        }
    }

    /// <summary>
    /// Evicts every entry of the <paramref name="providers"/> (changed at runtime): an entry holds what its provider said
    /// when it was made (header format, API base, static headers), so the next request works it out again.
    /// </summary>
    public void EvictProviders(IReadOnlySet<string> providers)
    {
        var ids = _bySelector.Values.Concat(_byId.Values).Where(c => providers.Contains(c.Provider)).Select(c => c.ConnectionId).Distinct().ToList();
        Interlocked.Increment(ref _epoch);
        foreach (var id in ids)
        {
            Evict(id);
        }
    }

    /// <summary>The store stopped hearing of other instances' writes: entries keep serving, unconfirmed, from now.</summary>
    public void MarkUnconfirmed()
    {
        Interlocked.Increment(ref _losses);
        Interlocked.CompareExchange(ref _unconfirmedSince, _time.GetUtcNow().UtcTicks, 0);
    }

    /// <summary>
    /// The store hears other instances' writes again: re-reads the stored version of every cached connection in one
    /// query and evicts those that changed or vanished meanwhile; the rest are confirmed. If the store fails meanwhile,
    /// the entries stay unconfirmed until the next time it is heard again.
    /// </summary>
    /// <returns>How many connections were evicted; null when the store could not be read.</returns>
    public async Task<int?> ReconcileAsync()
    {
        var losses = Interlocked.Read(ref _losses);
        var since = Interlocked.Read(ref _unconfirmedSince);
        // A read in flight began before the store was heard again and may carry a version written in between: void it.
        Interlocked.Increment(ref _epoch);
        var held = _bySelector.Values.Concat(_byId.Values).Select(c => (c.ConnectionId, c.Version)).Distinct().ToList();
        if (held.Count == 0)
        {
            Confirm(losses, since);
            return 0;
        }

        IReadOnlyDictionary<string, long> stored;
        try
        {
            stored = await _store.GetVersionsAsync(held.Select(h => h.ConnectionId).Distinct().ToList(), CancellationToken.None);
        }
        catch (StoreUnavailableException)
        {
            // Down again: the store has logged it and will say when it hears again.
            return null;
        }
        catch (Exception e)
        {
            Log.ReconcileFailed(_logger, _store.Description, e);
            return null;
        }

        var changed = held.Where(h => !stored.TryGetValue(h.ConnectionId, out var version) || version != h.Version)
            .Select(h => h.ConnectionId).Distinct().ToList();
        foreach (var id in changed)
        {
            Evict(id);
        }

        Confirm(losses, since);
        if (since != 0)
        {
            Log.Reconciled(_logger, held.Count, changed.Count, _store.Description);
        }

        return changed.Count;
    }

    private void Confirm(long losses, long since)
    {
        if (Interlocked.Read(ref _losses) == losses)
        {
            Interlocked.CompareExchange(ref _unconfirmedSince, 0, since);
        }
    }
}
