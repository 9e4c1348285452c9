using Microsoft.Data.Sqlite;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Tests.Vault.Sqlite;

/// <summary>The shared store suite on SQLite, plus what only the embedded store does: one process per file, WAL with full sync.</summary>
public sealed class SqliteConnectionStoreTests : ConnectionStoreTests
{
    private readonly string _directory = ProxyHost.NewDataDirectory();

    private string DatabasePath => Path.Combine(_directory, "tokenproxy.db");

    protected override Task SetUpAsync() => Task.CompletedTask;

    private protected override async Task<IConnectionStore> OpenStoreAsync()
    {
        var store = new SqliteConnectionStore(DatabasePath);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    protected override Task TearDownAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_second_process_on_the_same_file_gets_a_clear_error()
    {
        using var second = new SqliteConnectionStore(DatabasePath);

        var error = await Assert.ThrowsAsync<VaultStartupException>(() => second.InitializeAsync(CancellationToken.None));

        Assert.Contains("Another TokenProxy process", error.Message, StringComparison.Ordinal);
        Assert.Contains("Postgres", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Database_is_in_wal_mode_with_full_sync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)(await command.ExecuteScalarAsync())!);

        // synchronous is per connection: the store's own connections must report FULL (2).
        Assert.Equal(2L, await ((SqliteConnectionStore)Store).ReadPragmaAsync("synchronous", CancellationToken.None));
    }
}
