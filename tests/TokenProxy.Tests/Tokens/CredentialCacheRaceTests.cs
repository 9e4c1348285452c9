using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tokens;
using TokenProxy.Vault;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Tests.Tokens;

/// <summary>A late cache fill of an older version must never leave an entry that a later revoke cannot evict (docs/architecture.md §6: E29).</summary>
public sealed class CredentialCacheRaceTests
{
    [Fact]
    public void Late_fill_of_an_older_version_does_not_strand_an_entry_a_revoke_cannot_evict()
    {
        using var store = new SqliteConnectionStore(Path.Combine(Path.GetTempPath(), $"unused-{Guid.NewGuid():N}.db"));
        var cache = Caches.For(store);
        CachedCredential Version(long v) => new("conn_x", "acme", "work", null, v, ConnectionStatus.Active, $"Bearer v{v}", null, true, false);

        var labelReadStarted = cache.Epoch;       // a miss by label reads version 5 ...
        cache.Evict("conn_x");                    // ... while a refresh commits version 6
        var idReadStarted = cache.Epoch;          // a miss by id reads version 6 and caches it
        cache.Add(ConnectionScope.None, "conn_x", Version(6), idReadStarted);
        cache.Add(ConnectionScope.None, "work", Version(5), labelReadStarted); // the slow label read arrives last
        cache.Evict("conn_x");                    // the connection is revoked

        Assert.False(cache.TryGet("acme", ConnectionScope.None, "conn_x", out _));
        Assert.False(cache.TryGet("acme", ConnectionScope.None, "work", out _));
    }
}
