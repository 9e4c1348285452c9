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
        // Selector first, id second: Evict finds entries through the id map, so once the id is in, a
        // concurrent eviction removes both.
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
        if (_byId.TryRemove(connectionId, out var entry))
        {
            // A connection is selected by its label or its id, so these are the only keys it can have.
            _bySelector.TryRemove(KeyValuePair.Create((entry.Provider, entry.Label), entry));
            _bySelector.TryRemove(KeyValuePair.Create((entry.Provider, entry.ConnectionId), entry));
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
