using Microsoft.Extensions.Logging.Abstractions;
using TokenProxy.Providers;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault.Postgres;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault.Postgres;

/// <summary>
/// The shared store suite on PostgreSQL, plus what only a store shared by several instances does: migrations under a
/// lock, a cross-instance refresh lock that dies with its holder, and change notifications between instances. Each
/// store opened here stands for one TokenProxy instance.
/// </summary>
[Collection(PostgresTests.Collection)]
public sealed partial class PostgresConnectionStoreTests(PostgresServer server) : ConnectionStoreTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Takes a database back to the schema of the release before workspaces (version 7): UNIQUE (provider, label), no end
    /// user or origin columns, no workspaces table.
    /// </summary>
    internal const string BeforeWorkspaces = """
        DROP TABLE connect_requests;
        ALTER TABLE pending_authorizations DROP COLUMN connect_request_id;
        DROP INDEX connections_label;
        ALTER TABLE connections
          DROP COLUMN end_user_id, DROP COLUMN end_user_display_name, DROP COLUMN end_user_email, DROP COLUMN origin,
          DROP COLUMN refresh_attempt_id, DROP COLUMN refresh_attempt_at,
          DROP COLUMN required_scopes,
          ADD CONSTRAINT connections_provider_label_key UNIQUE (provider, label);
        DROP TABLE workspaces;
        DROP TABLE events;
        DROP TABLE event_sequence;
        DROP TABLE portal_links;
        DROP TABLE portal_sessions;
        DROP TABLE webhook_deliveries;
        DROP TABLE webhooks;
        DROP TABLE providers;
        DROP TABLE key_holders;
        UPDATE schema_version SET version = 7;
        """;

    private readonly List<IConnectionStore> _opened = [];
    private PostgresDatabase _database = null!;

    /// <summary>True while some session waits for an advisory lock that another one holds.</summary>
    private const string SomeoneWaitsForALock = "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";

    protected override async Task SetUpAsync() => _database = await server.CreateDatabaseAsync();

    private protected override Task<IConnectionStore> OpenStoreAsync() => OpenAsync(PostgresConnectionStore.LockTimeoutFor(TimeSpan.FromSeconds(30)));

    protected override async Task TearDownAsync()
    {
        foreach (var store in _opened)
        {
            await CloseAsync(store);
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Instances_starting_together_create_the_schema_once()
    {
        await using var fresh = await server.CreateDatabaseAsync();
        var stores = Enumerable.Range(0, 6).Select(_ => New(fresh.ConnectionString, TimeSpan.FromSeconds(45))).ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(CancellationToken.None))));

            Assert.Equal(PostgresConnectionStore.SchemaVersion, await fresh.ScalarAsync<int>("SELECT version FROM schema_version"));
            Assert.Equal(1L, await fresh.ScalarAsync<long>("SELECT count(*) FROM schema_version"));
            Assert.True(await stores[^1].TryInsertAsync(NewRow("default"), CancellationToken.None));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_database_from_before_parameters_is_migrated_and_its_rows_read_with_none()
    {
        var row = NewRow("default");
        Assert.True(await Store.TryInsertAsync(row, CancellationToken.None));
        // The database as the previous release left it: the same schema without the parameters column, at version 3.
        await _database.ExecuteAsync(BeforeWorkspaces + "ALTER TABLE pending_authorizations DROP COLUMN parameters; ALTER TABLE pending_authorizations DROP COLUMN pick; ALTER TABLE connections DROP COLUMN refresh_token_expires_at; ALTER TABLE connections DROP COLUMN credential_kind; ALTER TABLE connections DROP COLUMN parameters; UPDATE schema_version SET version = 3;");

        var migrated = await OpenStoreAsync();

        Assert.Equal(PostgresConnectionStore.SchemaVersion, await _database.ScalarAsync<int>("SELECT version FROM schema_version"));
        var stored = await migrated.GetAsync(row.Id, CancellationToken.None);
        Assert.Equal(row.AccessToken, stored!.AccessToken);
        Assert.Empty(stored.Parameters);
    }

    [Fact]
    public async Task A_database_from_before_refresh_token_lifetimes_is_migrated_and_its_rows_read_with_no_refresh_token_expiry()
    {
        var row = NewRow("default");
        Assert.True(await Store.TryInsertAsync(row, CancellationToken.None));
        // The database as the previous release left it: the same schema without the refresh_token_expires_at column, at version 5.
        await _database.ExecuteAsync(BeforeWorkspaces + "ALTER TABLE pending_authorizations DROP COLUMN parameters; ALTER TABLE pending_authorizations DROP COLUMN pick; ALTER TABLE connections DROP COLUMN refresh_token_expires_at; UPDATE schema_version SET version = 5;");

        var migrated = await OpenStoreAsync();

        Assert.Equal(PostgresConnectionStore.SchemaVersion, await _database.ScalarAsync<int>("SELECT version FROM schema_version"));
        var stored = await migrated.GetAsync(row.Id, CancellationToken.None);
        Assert.Null(stored!.RefreshTokenExpiresAt);
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);
        Assert.NotNull(await migrated.TryUpdateAsync(stored with { RefreshTokenExpiresAt = expires }, CancellationToken.None));
        Assert.Equal(expires, (await migrated.GetAsync(row.Id, CancellationToken.None))!.RefreshTokenExpiresAt);
    }

    [Fact]
    public async Task A_database_from_before_credential_kinds_reads_connected_rows_as_oauth2_and_imported_tokens_as_bearer()
    {
        var connected = NewRow("connected") with { LastRefreshedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000) };
        var refreshable = NewRow("refreshable") with { RefreshToken = "k:sealed-refresh" };
        var imported = NewRow("imported");
        foreach (var row in new[] { connected, refreshable, imported })
        {
            Assert.True(await Store.TryInsertAsync(row, CancellationToken.None));
        }

        // The database as the previous release left it: the same schema without the credential_kind column, at version 4.
        await _database.ExecuteAsync(BeforeWorkspaces + "ALTER TABLE pending_authorizations DROP COLUMN parameters; ALTER TABLE pending_authorizations DROP COLUMN pick; ALTER TABLE connections DROP COLUMN refresh_token_expires_at; ALTER TABLE connections DROP COLUMN credential_kind; UPDATE schema_version SET version = 4;");

        var migrated = await OpenStoreAsync();

        Assert.Equal(PostgresConnectionStore.SchemaVersion, await _database.ScalarAsync<int>("SELECT version FROM schema_version"));
        Assert.Equal(CredentialKind.OAuth2, (await migrated.GetAsync(connected.Id, CancellationToken.None))!.CredentialKind);
        Assert.Equal(CredentialKind.OAuth2, (await migrated.GetAsync(refreshable.Id, CancellationToken.None))!.CredentialKind);
        var stored = await migrated.GetAsync(imported.Id, CancellationToken.None);
        Assert.Equal(CredentialKind.Bearer, stored!.CredentialKind);
        Assert.Equal(imported.AccessToken, stored.AccessToken);
    }

    [Fact]
    public async Task A_database_from_before_workspaces_keeps_its_rows_in_no_workspace_and_makes_workspaces_of_the_names_imports_gave()
    {
        var plain = NewRow("default");
        var named = NewRow("reports") with { Workspace = "legacy" };
        Assert.True(await Store.TryInsertAsync(plain, CancellationToken.None));
        Assert.True(await Store.TryInsertWorkspaceAsync(new WorkspaceRow("legacy", "legacy", named.CreatedAt), CancellationToken.None));
        Assert.True(await Store.TryInsertAsync(named, CancellationToken.None));
        await _database.ExecuteAsync(BeforeWorkspaces);

        var migrated = await OpenStoreAsync();

        Assert.Equal(PostgresConnectionStore.SchemaVersion, await _database.ScalarAsync<int>("SELECT version FROM schema_version"));
        await AssertMigratedFromBeforeWorkspacesAsync(migrated, plain, named);
    }

    [Fact]
    public async Task A_schema_newer_than_this_version_refuses_to_start()
    {
        await _database.ExecuteAsync("UPDATE schema_version SET version = 99");

        var error = await Assert.ThrowsAsync<VaultStartupException>(() => OpenStoreAsync());

        Assert.Contains("newer than this TokenProxy understands", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_in_another_instance_raise_changed_within_a_second()
    {
        var other = await OpenStoreAsync();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Store.Changed += id =>
        {
            seen.Enqueue(id);
            if (seen.Count == 3)
            {
                third.TrySetResult();
            }
        };
        var row = NewRow("default");

        await other.TryInsertAsync(row, CancellationToken.None);
        await other.TryUpdateAsync(row with { Version = 1 }, CancellationToken.None);
        await other.DeleteAsync(row.Id, CancellationToken.None);

        await third.Task.WaitAsync(Second);
        Assert.Equal([row.Id, row.Id, row.Id], seen);
    }

    [Fact]
    public async Task Exclusive_sections_of_one_connection_never_overlap_across_instances()
    {
        var other = await OpenStoreAsync();
        var (id, unrelated) = (ConnectionIds.New(), ConnectionIds.New());
        var firstIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = Store.RunExclusiveAsync(id, async _ => { firstIn.SetResult(); await releaseFirst.Task; return 1; }, CancellationToken.None);
        await firstIn.Task.WaitAsync(Patience);
        var second = other.RunExclusiveAsync(id, _ => { secondIn.SetResult(); return Task.FromResult(2); }, CancellationToken.None);
        await _database.WaitUntilAsync(SomeoneWaitsForALock, "the second instance waits for the lock");

        // Another connection's lock is free meanwhile: the lock is per connection.
        Assert.Equal(3, await other.RunExclusiveAsync(unrelated, _ => Task.FromResult(3), CancellationToken.None).WaitAsync(Patience));
        Assert.False(secondIn.Task.IsCompleted);

        releaseFirst.SetResult();
        Assert.Equal(1, await first.WaitAsync(Patience));
        Assert.Equal(2, await second.WaitAsync(Patience));
    }

    [Fact]
    public async Task The_lock_of_a_holder_whose_session_dies_passes_to_the_next_instance()
    {
        var other = await OpenStoreAsync();
        var id = ConnectionIds.New();
        var firstIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Store.RunExclusiveAsync(id, async _ => { firstIn.SetResult(); await releaseFirst.Task; return "first"; }, CancellationToken.None);
        await firstIn.Task.WaitAsync(Patience);
        var second = other.RunExclusiveAsync(id, _ => Task.FromResult("second"), CancellationToken.None);
        await _database.WaitUntilAsync(SomeoneWaitsForALock, "the second instance waits for the lock");

        // What a crashed holder's server session amounts to: it ends, and its transaction with it.
        await _database.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted");

        Assert.Equal("second", await second.WaitAsync(Patience));
        // The holder itself finishes its work; losing the lock under it is logged, not thrown.
        releaseFirst.SetResult();
        Assert.Equal("first", await first.WaitAsync(Patience));
    }

    [Fact]
    public async Task Waiting_longer_than_the_lock_timeout_is_a_timeout()
    {
        var impatient = await OpenAsync(TimeSpan.FromMilliseconds(300));
        var id = ConnectionIds.New();
        var firstIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Store.RunExclusiveAsync(id, async _ => { firstIn.SetResult(); await releaseFirst.Task; return 1; }, CancellationToken.None);
        await firstIn.Task.WaitAsync(Patience);

        await Assert.ThrowsAsync<TimeoutException>(() => impatient.RunExclusiveAsync(id, _ => Task.FromResult(2), CancellationToken.None).WaitAsync(Patience));

        releaseFirst.SetResult();
        await first.WaitAsync(Patience);
    }

    [Fact]
    public async Task The_listener_reports_its_loss_once_and_its_return_and_hears_writes_again()
    {
        var other = await OpenStoreAsync();
        var reports = new System.Collections.Concurrent.ConcurrentQueue<bool>();
        var heardAgain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var row = NewRow("default");
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Store.ListeningChanged += listening =>
        {
            reports.Enqueue(listening);
            if (listening)
            {
                heardAgain.TrySetResult();
            }
        };
        Store.Changed += id =>
        {
            if (id == row.Id)
            {
                written.TrySetResult();
            }
        };

        await _database.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tokenproxy-listen'");
        await heardAgain.Task.WaitAsync(Patience);
        // Reconnected, not merely told: another instance's write arrives again. Both listeners were cut, so wait for both.
        await _database.WaitUntilAsync(
            "SELECT count(*) = 2 FROM pg_stat_activity WHERE application_name = 'tokenproxy-listen' AND query LIKE 'LISTEN%'", "both listeners listen again");
        await other.TryInsertAsync(row, CancellationToken.None);

        await written.Task.WaitAsync(Second);
        Assert.Equal([false, true], reports);
    }

    private async Task<IConnectionStore> OpenAsync(TimeSpan lockTimeout)
    {
        var store = New(_database.ConnectionString, lockTimeout);
        _opened.Add(store);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private static PostgresConnectionStore New(string connectionString, TimeSpan lockTimeout) =>
        new(connectionString, null, lockTimeout, TimeProvider.System, NullLogger<PostgresConnectionStore>.Instance);
}
