using TokenProxy.Tokens;
using TokenProxy.Vault;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Tests.Tokens;

/// <summary>The cache forgets what the store says changed: one connection, or everything when the store may have missed writes.</summary>
public sealed class CredentialCacheTests
{
    private readonly SqliteConnectionStore _store = new(Path.Combine(Path.GetTempPath(), "never-opened.db"));

    [Fact]
    public void All_connections_changed_empties_the_cache_and_voids_reads_in_flight()
    {
        var cache = new CredentialCache(_store);
        cache.Add("default", Credential("conn_a"), cache.Epoch);
        cache.Add("default", Credential("conn_b") with { Provider = "gitlab" }, cache.Epoch);
        var epochBeforeRead = cache.Epoch;

        cache.Evict(IConnectionStore.AllConnections);
        // A read that started before the clear must not put its (possibly stale) row back.
        cache.Add("default", Credential("conn_a"), epochBeforeRead);

        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet("acme", "default", out _));
        Assert.False(cache.TryGet("gitlab", "default", out _));
    }

    private static CachedCredential Credential(string id) =>
        new(id, "acme", "default", null, 1, ConnectionStatus.Active, "Bearer x", null, CanRefresh: false, Undecryptable: false);
}
