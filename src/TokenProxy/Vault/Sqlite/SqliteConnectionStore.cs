using Microsoft.Data.Sqlite;
using TokenProxy.Events;

namespace TokenProxy.Vault.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, <c>synchronous=FULL</c> so a committed token
/// survives power loss (WAL with NORMAL may lose the last transactions). One process per file: a lock
/// file held for the process lifetime makes a second process fail with a clear message.
/// </summary>
/// <param name="databasePath">The database file.</param>
/// <param name="time">Times outages (a file that cannot be written). Default: the system clock.</param>
/// <param name="logger">The two lines per outage. Default: none.</param>
/// <param name="eventLogger">The log record of each committed event. Default: none.</param>
internal sealed partial class SqliteConnectionStore(
    string databasePath, TimeProvider? time = null, ILogger<SqliteConnectionStore>? logger = null, ILogger? eventLogger = null)
    : IConnectionStore, IDisposable
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Pooling = true,
        Cache = SqliteCacheMode.Private,
    }.ToString();

    private readonly StoreAvailability _availability = new(
        $"SQLite database {databasePath}", time ?? TimeProvider.System, logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    private FileStream? _processLock;

    public event Action<string>? Changed;

    /// <summary>Never raised: one process per file, so every write is this process's own and reported by <see cref="Changed"/>.</summary>
    public event Action<bool>? ListeningChanged
    {
        add { }
        remove { }
    }

    public string Description => $"SQLite database {databasePath}";

    public DateTimeOffset? AvailableAgainAt => _availability.AvailableAgainAt;

    public Task WhenAvailable => _availability.WhenAvailable;

    /// <summary>
    /// A new directory and database file are the user's alone (0700, 0600): the tokens in it are sealed, but labels,
    /// account names, end users' emails and the event log are not. SQLite gives its <c>-wal</c> and <c>-shm</c> files the
    /// database file's mode. Files that exist keep theirs.
    /// </summary>
    private void CreatePrivately()
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            // An empty file is an empty database to SQLite.
            using var created = new FileStream(databasePath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(databasePath))
        {
            // There already.
        }
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        CreatePrivately();
        AcquireProcessLock();
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            // WAL is a property of the file; set once, it persists.
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await MigrateAsync(connection, cancellationToken);
    }

    public Task<ConnectionRow?> GetAsync(string id, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM connections WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return await StoredRows.ConnectionAsync(command, TimeColumn, cancellationToken);
    });

    public Task<ConnectionRow?> FindAsync(string provider, ConnectionScope scope, string idOrLabel, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = StoredRows.FindConnection;
        command.Parameters.AddWithValue("@provider", provider);
        command.Parameters.AddWithValue("@workspace", scope.Workspace ?? string.Empty);
        command.Parameters.AddWithValue("@end_user", scope.EndUser ?? string.Empty);
        command.Parameters.AddWithValue("@key", idOrLabel);
        return await StoredRows.ConnectionAsync(command, TimeColumn, cancellationToken);
    });

    public Task<IReadOnlyList<ConnectionRow>> ListAsync(CancellationToken cancellationToken) => ReadGuardAsync<IReadOnlyList<ConnectionRow>>(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = StoredRows.ListConnections;
        return await StoredRows.ConnectionsAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryInsertAsync(ConnectionRow row, CancellationToken cancellationToken) => TryInsertAsync(row, [], cancellationToken);

    public Task<bool> TryInsertAsync(ConnectionRow row, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = BeginFor(connection, events);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The workspace is checked in the insert itself: one checked before could be deleted (with ?force=true) before
        // the insert, leaving a connection in a workspace that no longer exists.
        command.CommandText = $"""
            INSERT INTO connections ({Columns}) SELECT {Parameters}
            WHERE $workspace IS NULL OR EXISTS (SELECT 1 FROM workspaces WHERE id = $workspace);
            """;
        Bind(command, row with { Version = 1 });
        try
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            // SQLITE_CONSTRAINT: the label is taken in its provider and scope.
            return false;
        }

        var appended = await CommitWithAsync(connection, transaction, events, cancellationToken);
        Changed?.Invoke(row.Id);
        Announce(appended);
        return true;
    });

    public Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, CancellationToken cancellationToken) => TryUpdateAsync(row, [], cancellationToken);

    public Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = BeginFor(connection, events);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE connections SET
              workspace = $workspace, status = $status, account_id = $account_id, account_email = $account_email,
              account_name = $account_name, scopes = $scopes, token_type = $token_type, access_token = $access_token,
              refresh_token = $refresh_token, expires_at = $expires_at, last_refreshed_at = $last_refreshed_at,
              last_error_code = $last_error_code, last_error_description = $last_error_description,
              last_error_at = $last_error_at, metadata = $metadata, updated_at = $updated_at,
              last_refresh_reason = $last_refresh_reason, parameters = $parameters, credential_kind = $credential_kind,
              refresh_token_expires_at = $refresh_token_expires_at,
              end_user_id = $end_user_id, end_user_display_name = $end_user_display_name, end_user_email = $end_user_email, origin = $connection_origin,
              refresh_attempt_id = $refresh_attempt_id, refresh_attempt_at = $refresh_attempt_at, required_scopes = $required_scopes, version = version + 1
            WHERE id = $id AND version = $version;
            """;
        Bind(command, row);
        var updated = await command.ExecuteNonQueryAsync(cancellationToken);
        if (updated == 0)
        {
            return null;
        }

        var appended = await CommitWithAsync(connection, transaction, events, cancellationToken);
        Changed?.Invoke(row.Id);
        Announce(appended);
        return row with { Version = row.Version + 1 };
    });

    public Task<bool> TryMarkRefreshAttemptAsync(string id, long version, RefreshAttempt? attempt, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE connections SET refresh_attempt_id = $attempt_id, refresh_attempt_at = $attempt_at
            WHERE id = $id AND version = $version;
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$attempt_id", (object?)attempt?.Id ?? DBNull.Value);
        command.Parameters.AddWithValue("$attempt_at", ToUnix(attempt?.At));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => DeleteAsync(id, [], cancellationToken);

    public Task<bool> DeleteAsync(string id, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = BeginFor(connection, events);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM connections WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }

        var appended = await CommitWithAsync(connection, transaction, events, cancellationToken);
        Changed?.Invoke(id);
        Announce(appended);
        return true;
    });

    /// <summary>One process per database file, so the in-process refresh gate is the whole lock.</summary>
    public Task<T> RunExclusiveAsync<T>(string id, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken) =>
        action(cancellationToken);

    /// <summary>Reads a PRAGMA on a connection configured like every other one the store opens.</summary>
    internal async Task<long> ReadPragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma};";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public void Dispose()
    {
        _processLock?.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private void AcquireProcessLock()
    {
        if (_processLock is not null)
        {
            return;
        }

        var lockPath = databasePath + ".lock";
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix and a share lock on Windows;
            // the operating system drops it when the process dies, so a crash never leaves it stale.
            _processLock = OperatingSystem.IsWindows()
                ? new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)
                : new FileStream(lockPath, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
        }
        catch (IOException e)
        {
            throw new VaultStartupException(
                $"Another TokenProxy process is already using {databasePath} (lock file {lockPath}). " +
                "The SQLite store serves one process per database file: stop the other process, give this one its own " +
                "TokenProxy:DataDirectory, or use TokenProxy:Store:Kind=Postgres to run several instances.", e);
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragmas = connection.CreateCommand();
        // synchronous is per connection: FULL syncs the WAL on every commit, so an acknowledged token
        // write survives a power cut. busy_timeout lets concurrent writers wait instead of failing.
        pragmas.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
