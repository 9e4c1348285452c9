using Microsoft.Data.Sqlite;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Tests.Vault.Sqlite;

public sealed class SqliteConnectionStoreTests : IAsyncLifetime
{
    private readonly string _directory = ProxyHost.NewDataDirectory();
    private SqliteConnectionStore _store = null!;

    private string DatabasePath => Path.Combine(_directory, "tokenproxy.db");

    public async Task InitializeAsync()
    {
        _store = new SqliteConnectionStore(DatabasePath);
        await _store.InitializeAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Update_is_compare_and_swap_on_the_version()
    {
        var row = NewRow("default");
        Assert.True(await _store.TryInsertAsync(row, CancellationToken.None));
        var stored = (await _store.GetAsync(row.Id, CancellationToken.None))!;
        Assert.Equal(1, stored.Version);

        var first = await _store.TryUpdateAsync(stored with { AccessToken = "k:new" }, CancellationToken.None);
        var stale = await _store.TryUpdateAsync(stored with { AccessToken = "k:stale" }, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Equal(2, first.Version);
        Assert.Null(stale);
        var now = (await _store.GetAsync(row.Id, CancellationToken.None))!;
        Assert.Equal("k:new", now.AccessToken);
        Assert.Equal(2, now.Version);
    }

    [Fact]
    public async Task Every_field_round_trips()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123);
        var row = NewRow("full") with
        {
            Workspace = "team-a",
            Status = ConnectionStatus.Error,
            Account = new ConnectionAccount("42", "a@example.com", "octocat"),
            Scopes = ["read:user", "repo"],
            TokenType = "bearer",
            RefreshToken = "k:refresh",
            ExpiresAt = at,
            LastRefreshedAt = at,
            LastError = new ConnectionError("invalid_grant", "Token revoked", at),
            Metadata = new Dictionary<string, string> { ["team.id"] = "T1" },
        };
        await _store.TryInsertAsync(row, CancellationToken.None);

        var read = (await _store.FindAsync("github", "full", CancellationToken.None))!;

        Assert.Equal(row with { Version = 1, Scopes = read.Scopes, Metadata = read.Metadata }, read);
        Assert.Equal(row.Scopes, read.Scopes);
        Assert.Equal(row.Metadata, read.Metadata);
    }

    [Fact]
    public async Task A_label_is_unique_per_provider()
    {
        Assert.True(await _store.TryInsertAsync(NewRow("default"), CancellationToken.None));
        Assert.False(await _store.TryInsertAsync(NewRow("default"), CancellationToken.None));
        Assert.True(await _store.TryInsertAsync(NewRow("default") with { Provider = "gitlab" }, CancellationToken.None));
    }

    [Fact]
    public async Task Find_prefers_the_id_over_a_label_with_the_same_text()
    {
        var target = NewRow("a");
        await _store.TryInsertAsync(target, CancellationToken.None);
        await _store.TryInsertAsync(NewRow(target.Id), CancellationToken.None);

        Assert.Equal(target.Id, (await _store.FindAsync("github", target.Id, CancellationToken.None))!.Id);
    }

    [Fact]
    public async Task Writes_raise_changed_with_the_connection_id()
    {
        var changed = new List<string>();
        _store.Changed += changed.Add;
        var row = NewRow("default");

        await _store.TryInsertAsync(row, CancellationToken.None);
        await _store.TryUpdateAsync(row with { Version = 1 }, CancellationToken.None);
        await _store.TryUpdateAsync(row with { Version = 1 }, CancellationToken.None); // lost CAS: no change
        await _store.DeleteAsync(row.Id, CancellationToken.None);

        Assert.Equal([row.Id, row.Id, row.Id], changed);
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
        Assert.Equal(2L, await _store.ReadPragmaAsync("synchronous", CancellationToken.None));
    }

    private static ConnectionRow NewRow(string label) => new()
    {
        Id = ConnectionIds.New(),
        Provider = "github",
        Label = label,
        Status = ConnectionStatus.Active,
        AccessToken = "k:sealed",
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
    };
}
