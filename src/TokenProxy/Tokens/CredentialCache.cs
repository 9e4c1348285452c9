using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// Decrypted credentials by (provider, id-or-label), evicted whenever the store reports a write to the
/// connection (refresh, revoke, delete — here, or in another instance for a shared store). An entry
/// read from the store is only kept if no eviction happened while it was being read, so a slow read
/// can never put back a version that a concurrent write already replaced.
/// </summary>
internal sealed class CredentialCache
{
    private readonly ConcurrentDictionary<(string Provider, string Selector), CachedCredential> _bySelector = new();
    private readonly ConcurrentDictionary<string, CachedCredential> _byId = new(StringComparer.Ordinal);
    private long _epoch;

    public CredentialCache(IConnectionStore store)
    {
        store.Changed += Evict;
    }

    /// <summary>Changes on every eviction; capture it before a store read and pass it to <see cref="Add"/>.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    public int Count => _byId.Count;

    public bool TryGet(string provider, string selector, [NotNullWhen(true)] out CachedCredential? credential) =>
        _bySelector.TryGetValue((provider, selector), out credential);

    public void Add(string selector, CachedCredential credential, long epochBeforeRead)
    {
        _bySelector[(credential.Provider, selector)] = credential;
        _byId[credential.ConnectionId] = credential;
        // An eviction raced the read: drop what we just added; the next request reads again.
        if (Epoch != epochBeforeRead)
        {
            Evict(credential.ConnectionId);
        }
    }

    public void Evict(string connectionId)
    {
        if (connectionId == IConnectionStore.AllConnections)
        {
            Clear();
            return;
        }

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

    /// <summary>Drops every entry: the store may have missed writes (a shared store's notification connection dropped).</summary>
    public void Clear()
    {
        // Epoch first: a read in flight that adds its entry after the clear sees the new epoch and drops it.
        Interlocked.Increment(ref _epoch);
        _byId.Clear();
        _bySelector.Clear();
    }
}
