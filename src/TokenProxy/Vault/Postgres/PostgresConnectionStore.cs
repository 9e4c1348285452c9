using Npgsql;
using TokenProxy.Events;

namespace TokenProxy.Vault.Postgres;

/// <summary>
/// The shared store: several TokenProxy instances on one PostgreSQL database. Same logical schema and
/// behaviour as the SQLite store; every update is compare-and-swap on <c>version</c> and, in the same
/// statement, notifies the other instances (<c>pg_notify</c>) so their caches drop the connection within
/// moments. The refresh lock is a transaction-scoped advisory lock, so it works behind PgBouncer in
/// transaction mode and is released by the server when its holder dies.
/// </summary>
internal sealed partial class PostgresConnectionStore : IConnectionStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _lockSource;
    private readonly NpgsqlDataSource _listenSource;
    private readonly TimeSpan _lockTimeout;
    private readonly bool _listenConfigured;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StoreAvailability _availability;
    private int _disposed;

    /// <param name="connectionString">Where the rows live; pooled, PgBouncer transaction mode is fine.</param>
    /// <param name="listenConnectionString">
    /// For the LISTEN connection, which needs a session of its own: behind PgBouncer in transaction mode, point this
    /// straight at PostgreSQL. Null: <paramref name="connectionString"/>.
    /// </param>
    /// <param name="lockTimeout">How long a refresh waits for another instance's refresh of the same connection; see <see cref="LockTimeoutFor"/>.</param>
    /// <param name="time">Paces the listener's reconnect attempts; times outages.</param>
    /// <param name="logger">Migrations, listener state, outages, lock timeouts; connection ids only.</param>
    /// <param name="eventLogger">The log record of each committed event. Default: none.</param>
    public PostgresConnectionStore(
        string connectionString, string? listenConnectionString, TimeSpan lockTimeout, TimeProvider time, ILogger<PostgresConnectionStore> logger, ILogger? eventLogger = null)
    {
        _eventLogger = eventLogger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var rows = new NpgsqlConnectionStringBuilder(connectionString);
        rows.ApplicationName ??= "tokenproxy";
        if (!new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey("Timeout"))
        {
            // Npgsql waits 15 s for a new connection by default; a database that hangs (a partition, a frozen server) should
            // be reported as unavailable sooner. Set Timeout in the connection string to choose otherwise.
            rows.Timeout = ConnectTimeoutSeconds;
        }

        _dataSource = NpgsqlDataSource.Create(rows);

        // Lock holders get a pool of their own: a lock connection stays checked out for the whole refresh, and if
        // they shared the pool with the refresh's own reads and writes, many refreshes at once could take every
        // connection and leave none for the work that would release them.
        var locks = new NpgsqlConnectionStringBuilder(rows.ConnectionString) { ApplicationName = rows.ApplicationName + "-lock" };
        _lockSource = NpgsqlDataSource.Create(locks);

        var listen = new NpgsqlConnectionStringBuilder(listenConnectionString ?? connectionString)
        {
            // A pooled connection is reset (UNLISTEN *) when returned; this one is never shared.
            Pooling = false,
            // The listener only ever reads; a keepalive query every few seconds notices a dead server or a
            // silently dropped TCP connection, so the listener reconnects instead of waiting forever.
            KeepAlive = 5,
        };
        listen.ApplicationName = (listen.ApplicationName ?? rows.ApplicationName) + "-listen";
        _listenSource = NpgsqlDataSource.Create(listen);

        _listenConfigured = listenConnectionString is not null;
        _lockTimeout = lockTimeout;
        _time = time;
        _logger = logger;
        Description = $"PostgreSQL database {rows.Database ?? rows.Username} on {rows.Host}:{rows.Port}";
        _availability = new StoreAvailability(Description, time, logger, ClearPools);
    }

    /// <summary>Npgsql's <c>Timeout</c> (seconds to open a connection) when the connection string does not set it.</summary>
    public const int ConnectTimeoutSeconds = 5;

    public event Action<string>? Changed;

    public event Action<bool>? ListeningChanged;

    public string Description { get; }

    public DateTimeOffset? AvailableAgainAt => _availability.AvailableAgainAt;

    public Task WhenAvailable => _availability.WhenAvailable;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        await StartListeningAsync(cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GuardAsync(async () =>
            {
                await using var command = _dataSource.CreateCommand("SELECT 1 FROM connections LIMIT 1;");
                await command.ExecuteScalarAsync(cancellationToken);
                return true;
            });
        }
        catch (Exception e) when (e is StoreUnavailableException or NpgsqlException or TimeoutException)
        {
            return false;
        }
    }

    public Task<ConnectionRow?> GetAsync(string id, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand($"SELECT {Columns} FROM connections WHERE id = @id;");
        command.Parameters.AddWithValue("id", id);
        return await StoredRows.ConnectionAsync(command, TimeColumn, cancellationToken);
    });

    public Task<ConnectionRow?> FindAsync(string provider, ConnectionScope scope, string idOrLabel, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(StoredRows.FindConnection);
        command.Parameters.AddWithValue("provider", provider);
        command.Parameters.AddWithValue("workspace", scope.Workspace ?? string.Empty);
        command.Parameters.AddWithValue("end_user", scope.EndUser ?? string.Empty);
        command.Parameters.AddWithValue("key", idOrLabel);
        return await StoredRows.ConnectionAsync(command, TimeColumn, cancellationToken);
    });

    public Task<IReadOnlyList<ConnectionRow>> ListAsync(CancellationToken cancellationToken) => GuardAsync<IReadOnlyList<ConnectionRow>>(async () =>
    {
        await using var command = _dataSource.CreateCommand(StoredRows.ListConnections);
        return await StoredRows.ConnectionsAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryInsertAsync(ConnectionRow row, CancellationToken cancellationToken) => TryInsertAsync(row, [], cancellationToken);

    public Task<bool> TryInsertAsync(ConnectionRow row, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        // ON CONFLICT DO NOTHING: a label taken in its provider and scope inserts nothing, so nothing is notified either.
        // The workspace is checked in the insert itself, its row locked FOR KEY SHARE so a concurrent delete waits for
        // this insert (and a workspace deleted first is not found): one checked before could be gone by now.
        await using var command = _dataSource.CreateCommand($"""
            WITH inserted AS (
              INSERT INTO connections ({Columns}) SELECT {Parameters}
              WHERE @workspace IS NULL OR EXISTS (SELECT 1 FROM workspaces WHERE id = @workspace FOR KEY SHARE)
              ON CONFLICT DO NOTHING RETURNING id)
            {WriteTail("inserted", events)}
            """);
        Bind(command, row with { Version = 1 });
        var at = BindEvents(command, events);
        var (written, appended) = await ExecuteWritingAsync(command, events, at, cancellationToken);
        if (written == 0)
        {
            return false;
        }

        Changed?.Invoke(row.Id);
        Announce(appended);
        return true;
    });

    public Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, CancellationToken cancellationToken) => TryUpdateAsync(row, [], cancellationToken);

    public Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        // Under READ COMMITTED a concurrent writer of the same row makes this wait, then re-check the WHERE clause
        // against the committed row: the version no longer matches and nothing is updated. That is the swap.
        await using var command = _dataSource.CreateCommand($"""
            WITH updated AS (
              UPDATE connections SET
                workspace = @workspace, status = @status, account_id = @account_id, account_email = @account_email,
                account_name = @account_name, scopes = @scopes, token_type = @token_type, access_token = @access_token,
                refresh_token = @refresh_token, expires_at = @expires_at, last_refreshed_at = @last_refreshed_at,
                last_error_code = @last_error_code, last_error_description = @last_error_description,
                last_error_at = @last_error_at, metadata = @metadata, updated_at = @updated_at,
                last_refresh_reason = @last_refresh_reason, parameters = @parameters, credential_kind = @credential_kind,
              refresh_token_expires_at = @refresh_token_expires_at,
              end_user_id = @end_user_id, end_user_display_name = @end_user_display_name, end_user_email = @end_user_email, origin = @connection_origin,
              refresh_attempt_id = @refresh_attempt_id, refresh_attempt_at = @refresh_attempt_at, required_scopes = @required_scopes, version = version + 1
              WHERE id = @id AND version = @version
              RETURNING id)
            {WriteTail("updated", events)}
            """);
        Bind(command, row);
        var at = BindEvents(command, events);
        var (written, appended) = await ExecuteWritingAsync(command, events, at, cancellationToken);
        if (written == 0)
        {
            return null;
        }

        Changed?.Invoke(row.Id);
        Announce(appended);
        return row with { Version = row.Version + 1 };
    });

    public Task<bool> TryMarkRefreshAttemptAsync(string id, long version, RefreshAttempt? attempt, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        // No notification: the version stays, so no instance's cached token is stale.
        await using var command = _dataSource.CreateCommand("""
            UPDATE connections SET refresh_attempt_id = @attempt_id, refresh_attempt_at = @attempt_at
            WHERE id = @id AND version = @version;
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("version", version);
        command.Parameters.Add(Text("attempt_id", attempt?.Id));
        command.Parameters.Add(Time("attempt_at", attempt?.At));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => DeleteAsync(id, [], cancellationToken);

    public Task<bool> DeleteAsync(string id, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand($"""
            WITH deleted AS (DELETE FROM connections WHERE id = @id RETURNING id)
            {WriteTail("deleted", events)}
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("origin", _origin);
        var at = BindEvents(command, events);
        var (written, appended) = await ExecuteWritingAsync(command, events, at, cancellationToken);
        if (written == 0)
        {
            return false;
        }

        Changed?.Invoke(id);
        Announce(appended);
        return true;
    });

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopListeningAsync();
        await _dataSource.DisposeAsync();
        await _lockSource.DisposeAsync();
        await _listenSource.DisposeAsync();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
