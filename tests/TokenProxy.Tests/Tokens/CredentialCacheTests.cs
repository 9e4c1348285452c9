using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tokens;
using TokenProxy.Vault;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// The cache forgets what the store says changed. When the store stops hearing of other instances' writes, entries keep
/// serving (unconfirmed, for at most Store:MaxStaleness); when it hears them again, only what changed meanwhile goes.
/// </summary>
public sealed class CredentialCacheTests : IAsyncLifetime
{
    private readonly string _directory = ProxyHost.NewDataDirectory();
    private SqliteConnectionStore _sqlite = null!;
    private CountingStore _store = null!;

    private string DatabasePath => Path.Combine(_directory, "tokenproxy.db");

    public async Task InitializeAsync()
    {
        _sqlite = new SqliteConnectionStore(DatabasePath);
        await _sqlite.InitializeAsync(CancellationToken.None);
        _store = new CountingStore(_sqlite);
    }

    public Task DisposeAsync()
    {
        _sqlite.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Unconfirmed_entries_keep_serving_until_the_maximum_staleness_has_passed()
    {
        var clock = new FakeTimeProvider();
        var cache = Caches.For(_store, clock, maxStaleness: TimeSpan.FromMinutes(5));
        cache.Add(ConnectionScope.None, "default", Credential("conn_a", 1), cache.Epoch);

        cache.MarkUnconfirmed();
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(cache.TryGet("acme", ConnectionScope.None, "default", out _));
        // A later loss does not restart the clock: staleness counts from when the store stopped hearing.
        cache.MarkUnconfirmed();
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(cache.TryGet("acme", ConnectionScope.None, "default", out _));
        Assert.True(cache.IsUnconfirmed);
    }

    [Fact]
    public async Task Hearing_the_store_again_evicts_only_the_entries_changed_or_removed_meanwhile_with_one_query()
    {
        var cache = Caches.For(_store);
        var (same, changed, removed) = (await InsertAsync("same"), await InsertAsync("changed"), await InsertAsync("removed"));
        foreach (var row in new[] { same, changed, removed })
        {
            cache.Add(ConnectionScope.None, row.Label, Credential(row.Id, row.Version) with { Label = row.Label }, cache.Epoch);
        }

        cache.MarkUnconfirmed();
        // Another instance writes while this one cannot hear it: straight to the file, no Changed event.
        await ExecuteAsync($"UPDATE connections SET version = version + 1 WHERE id = '{changed.Id}'; DELETE FROM connections WHERE id = '{removed.Id}';");
        var evicted = await cache.ReconcileAsync();

        Assert.Equal(2, evicted);
        Assert.Equal(1, _store.VersionQueries);
        Assert.True(cache.TryGet("acme", ConnectionScope.None, "same", out _));
        Assert.False(cache.TryGet("acme", ConnectionScope.None, "changed", out _));
        Assert.False(cache.TryGet("acme", ConnectionScope.None, "removed", out _));
        Assert.False(cache.IsUnconfirmed);
    }

    [Fact]
    public async Task A_read_in_flight_when_the_store_is_heard_again_is_not_kept()
    {
        var cache = Caches.For(_store);
        var row = await InsertAsync("default");
        var epochBeforeRead = cache.Epoch;

        cache.MarkUnconfirmed();
        await cache.ReconcileAsync();
        // The read began before the store listened again: what it read may have been replaced meanwhile, unnoticed.
        cache.Add(ConnectionScope.None, "default", Credential(row.Id, row.Version), epochBeforeRead);

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task A_check_that_began_before_another_loss_does_not_confirm_the_entries()
    {
        var cache = Caches.For(_store);
        var row = await InsertAsync("default");
        cache.Add(ConnectionScope.None, "default", Credential(row.Id, row.Version), cache.Epoch);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.VersionsHeldUntil = release.Task;

        cache.MarkUnconfirmed();
        var check = cache.ReconcileAsync();
        cache.MarkUnconfirmed();
        release.SetResult();
        await check;

        Assert.True(cache.IsUnconfirmed);
        Assert.True(cache.TryGet("acme", ConnectionScope.None, "default", out _));
    }

    private async Task<ConnectionRow> InsertAsync(string label)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var row = new ConnectionRow
        {
            Id = ConnectionIds.New(), Provider = "acme", Label = label, Status = ConnectionStatus.Active, AccessToken = "k:sealed",
            CreatedAt = now, UpdatedAt = now, Version = 1,
        };
        Assert.True(await _store.TryInsertAsync(row, CancellationToken.None));
        return row;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static CachedCredential Credential(string id, long version) =>
        new(id, "acme", "default", null, version, ConnectionStatus.Active, "Bearer x", null, CanRefresh: false, Undecryptable: false);
}
