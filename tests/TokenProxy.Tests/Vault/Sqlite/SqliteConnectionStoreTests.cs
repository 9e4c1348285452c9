using Microsoft.Data.Sqlite;
using TokenProxy.Providers;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault.Sqlite;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault.Sqlite;

/// <summary>The shared store suite on SQLite, plus what only the embedded store does: one process per file, WAL with full sync.</summary>
public sealed class SqliteConnectionStoreTests : ConnectionStoreTests
{
    /// <summary>
    /// Takes a database back to the schema of the release before workspaces (version 7): the connections table with its
    /// UNIQUE (provider, label) and without the end user and origin columns, no workspaces table (and no connect requests,
    /// which came later).
    /// </summary>
    internal const string BeforeWorkspaces = """
        DROP TABLE connect_requests;
        ALTER TABLE pending_authorizations DROP COLUMN connect_request_id;
        CREATE TABLE connections_v7 (
          id TEXT PRIMARY KEY, provider TEXT NOT NULL, label TEXT NOT NULL, workspace TEXT, status TEXT NOT NULL,
          account_id TEXT, account_email TEXT, account_name TEXT, scopes TEXT NOT NULL DEFAULT '', token_type TEXT,
          access_token TEXT, refresh_token TEXT, expires_at INTEGER, last_refreshed_at INTEGER, last_error_code TEXT,
          last_error_description TEXT, last_error_at INTEGER, metadata TEXT, created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL, version INTEGER NOT NULL, last_refresh_reason text, parameters text,
          credential_kind text NOT NULL DEFAULT 'oauth2', refresh_token_expires_at integer,
          UNIQUE (provider, label));
        INSERT INTO connections_v7 SELECT
          id, provider, label, workspace, status, account_id, account_email, account_name, scopes, token_type, access_token,
          refresh_token, expires_at, last_refreshed_at, last_error_code, last_error_description, last_error_at, metadata,
          created_at, updated_at, version, last_refresh_reason, parameters, credential_kind, refresh_token_expires_at
        FROM connections;
        DROP TABLE connections;
        ALTER TABLE connections_v7 RENAME TO connections;
        DROP TABLE workspaces;
        DROP TABLE events;
        DROP TABLE portal_links;
        DROP TABLE portal_sessions;
        DROP TABLE webhook_deliveries;
        DROP TABLE webhooks;
        DROP TABLE providers;
        PRAGMA user_version = 7;
        """;

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
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_new_database_its_journal_files_and_its_directory_are_the_users_alone()
    {
        var directory = Path.Combine(_directory, "new", "data");
        var path = Path.Combine(directory, "tokenproxy.db");
        using (var store = new SqliteConnectionStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
            Assert.True(await store.TryInsertWorkspaceAsync(new WorkspaceRow("acme", "Acme", DateTimeOffset.UtcNow), CancellationToken.None));
            // SQLite deletes -wal and -shm when the file's last connection closes, and tests running beside this one clear
            // every pool (SqliteConnection.ClearAllPools): an unpooled connection of the test's own keeps them in place.
            using var reader = new SqliteConnection($"Data Source={path};Pooling=False");
            reader.Open();
            using (var read = reader.CreateCommand())
            {
                read.CommandText = "SELECT count(*) FROM workspaces;";
                Assert.Equal(1L, read.ExecuteScalar());
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
            foreach (var file in new[] { path, path + "-wal", path + "-shm", path + ".lock" })
            {
                Assert.True(File.Exists(file), file);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }

        SqliteConnection.ClearAllPools();
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
    public async Task A_database_from_before_parameters_is_migrated_and_its_rows_read_with_none()
    {
        var path = Path.Combine(_directory, "before-parameters.db");
        var row = NewRow("default");
        using (var current = new SqliteConnectionStore(path))
        {
            await current.InitializeAsync(CancellationToken.None);
            Assert.True(await current.TryInsertAsync(row, CancellationToken.None));
        }

        // The file as the previous release left it: the same schema without the parameters column, at version 3.
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = BeforeWorkspaces + "ALTER TABLE pending_authorizations DROP COLUMN parameters; ALTER TABLE pending_authorizations DROP COLUMN pick; ALTER TABLE connections DROP COLUMN refresh_token_expires_at; ALTER TABLE connections DROP COLUMN credential_kind; ALTER TABLE connections DROP COLUMN parameters; PRAGMA user_version = 3;";
            await downgrade.ExecuteNonQueryAsync();
        }

        using var migrated = new SqliteConnectionStore(path);
        await migrated.InitializeAsync(CancellationToken.None);

        var stored = await migrated.GetAsync(row.Id, CancellationToken.None);
        Assert.Equal(row.AccessToken, stored!.AccessToken);
        Assert.Empty(stored.Parameters);
        Assert.NotNull(await migrated.TryUpdateAsync(stored with { Parameters = new Dictionary<string, string> { ["subdomain"] = "acme" } }, CancellationToken.None));
        Assert.Equal("acme", (await migrated.GetAsync(row.Id, CancellationToken.None))!.Parameters["subdomain"]);
    }

    [Fact]
    public async Task A_database_from_before_refresh_token_lifetimes_is_migrated_and_its_rows_read_with_no_refresh_token_expiry()
    {
        var path = Path.Combine(_directory, "before-lifetimes.db");
        var row = NewRow("default");
        using (var current = new SqliteConnectionStore(path))
        {
            await current.InitializeAsync(CancellationToken.None);
            Assert.True(await current.TryInsertAsync(row, CancellationToken.None));
        }

        // The file as the previous release left it: the same schema without the refresh_token_expires_at column, at version 5.
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = BeforeWorkspaces + "ALTER TABLE pending_authorizations DROP COLUMN parameters; ALTER TABLE pending_authorizations DROP COLUMN pick; ALTER TABLE connections DROP COLUMN refresh_token_expires_at; PRAGMA user_version = 5;";
            await downgrade.ExecuteNonQueryAsync();
        }

        using var migrated = new SqliteConnectionStore(path);
        await migrated.InitializeAsync(CancellationToken.None);

        var stored = await migrated.GetAsync(row.Id, CancellationToken.None);
        Assert.Null(stored!.RefreshTokenExpiresAt);
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);
        Assert.NotNull(await migrated.TryUpdateAsync(stored with { RefreshTokenExpiresAt = expires }, CancellationToken.None));
        Assert.Equal(expires, (await migrated.GetAsync(row.Id, CancellationToken.None))!.RefreshTokenExpiresAt);
    }

    [Fact]
    public async Task A_database_from_before_credential_kinds_reads_connected_rows_as_oauth2_and_imported_tokens_as_bearer()
    {
        var path = Path.Combine(_directory, "before-kinds.db");
        var connected = NewRow("connected") with { LastRefreshedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000) };
        var refreshable = NewRow("refreshable") with { RefreshToken = "k:sealed-refresh" };
        var imported = NewRow("imported");
        var pending = NewRow("pending") with { Status = ConnectionStatus.Pending, AccessToken = null };
        using (var current = new SqliteConnectionStore(path))
        {
            await current.InitializeAsync(CancellationToken.None);
            foreach (var row in new[] { connected, refreshable, imported, pending })
            {
                Assert.True(await current.TryInsertAsync(row, CancellationToken.None));
            }
        }

        // The file as the previous release left it: the same schema without the credential_kind column, at version 4.
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = BeforeWorkspaces + "ALTER TABLE pending_authorizations DROP COLUMN parameters; ALTER TABLE pending_authorizations DROP COLUMN pick; ALTER TABLE connections DROP COLUMN refresh_token_expires_at; ALTER TABLE connections DROP COLUMN credential_kind; PRAGMA user_version = 4;";
            await downgrade.ExecuteNonQueryAsync();
        }

        using var migrated = new SqliteConnectionStore(path);
        await migrated.InitializeAsync(CancellationToken.None);

        Assert.Equal(CredentialKind.OAuth2, (await migrated.GetAsync(connected.Id, CancellationToken.None))!.CredentialKind);
        Assert.Equal(CredentialKind.OAuth2, (await migrated.GetAsync(refreshable.Id, CancellationToken.None))!.CredentialKind);
        Assert.Equal(CredentialKind.OAuth2, (await migrated.GetAsync(pending.Id, CancellationToken.None))!.CredentialKind);
        var stored = await migrated.GetAsync(imported.Id, CancellationToken.None);
        Assert.Equal(CredentialKind.Bearer, stored!.CredentialKind);
        Assert.Equal(imported.AccessToken, stored.AccessToken);
        Assert.NotNull(await migrated.TryUpdateAsync(stored with { CredentialKind = CredentialKind.ApiKey }, CancellationToken.None));
        Assert.Equal(CredentialKind.ApiKey, (await migrated.GetAsync(imported.Id, CancellationToken.None))!.CredentialKind);
    }

    [Fact]
    public async Task A_database_from_before_workspaces_keeps_its_rows_in_no_workspace_and_makes_workspaces_of_the_names_imports_gave()
    {
        var path = Path.Combine(_directory, "before-workspaces.db");
        var plain = NewRow("default");
        var named = NewRow("reports") with { Workspace = "legacy" };
        using (var current = new SqliteConnectionStore(path))
        {
            await current.InitializeAsync(CancellationToken.None);
            Assert.True(await current.TryInsertAsync(plain, CancellationToken.None));
            Assert.True(await current.TryInsertWorkspaceAsync(new WorkspaceRow("legacy", "legacy", named.CreatedAt), CancellationToken.None));
            Assert.True(await current.TryInsertAsync(named, CancellationToken.None));
        }

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = BeforeWorkspaces;
            await downgrade.ExecuteNonQueryAsync();
        }

        using var migrated = new SqliteConnectionStore(path);
        await migrated.InitializeAsync(CancellationToken.None);

        await AssertMigratedFromBeforeWorkspacesAsync(migrated, plain, named);
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
