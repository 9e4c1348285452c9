using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

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
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _disposed;

    /// <param name="connectionString">Where the rows live; pooled, PgBouncer transaction mode is fine.</param>
    /// <param name="listenConnectionString">
    /// For the LISTEN connection, which needs a session of its own: behind PgBouncer in transaction mode, point this
    /// straight at PostgreSQL. Null: <paramref name="connectionString"/>.
    /// </param>
    /// <param name="lockTimeout">How long a refresh waits for another instance's refresh of the same connection; see <see cref="LockTimeoutFor"/>.</param>
    /// <param name="time">Paces the listener's reconnect attempts.</param>
    /// <param name="logger">Migrations, listener state, lock timeouts; connection ids only.</param>
    public PostgresConnectionStore(string connectionString, string? listenConnectionString, TimeSpan lockTimeout, TimeProvider time, ILogger<PostgresConnectionStore> logger)
    {
        var rows = new NpgsqlConnectionStringBuilder(connectionString);
        rows.ApplicationName ??= "tokenproxy";
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

        _lockTimeout = lockTimeout;
        _time = time;
        _logger = logger;
        Description = $"PostgreSQL database {rows.Database ?? rows.Username} on {rows.Host}:{rows.Port}";
    }

    public event Action<string>? Changed;

    public string Description { get; }

    /// <summary>
    /// The refresh lock timeout for a refresh timeout (<c>TokenProxy:Refresh:Timeout</c>, default 30 s): that plus
    /// the OAuth client's 15 s HTTP timeout, 45 s by default. A healthy holder keeps the lock at most for its own
    /// refresh timeout (its token calls are cancelled then), so a waiter never gives up on a live holder: the
    /// waiter's own refresh timeout, shorter, cancels the wait first. This value is the server-side backstop for
    /// when that cancellation cannot reach the server, and it also bounds how long the server keeps the lock of a
    /// holder that stopped talking without closing its connection (frozen process, network partition).
    /// </summary>
    public static TimeSpan LockTimeoutFor(TimeSpan refreshTimeout) => refreshTimeout + TimeSpan.FromSeconds(15);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        await StartListeningAsync(cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = _dataSource.CreateCommand("SELECT 1 FROM connections LIMIT 1;");
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }

    public async Task<ConnectionRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {Columns} FROM connections WHERE id = @id;");
        command.Parameters.AddWithValue("id", id);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<ConnectionRow?> FindAsync(string provider, string idOrLabel, CancellationToken cancellationToken)
    {
        // An id wins over a label that happens to look the same.
        await using var command = _dataSource.CreateCommand($"""
            SELECT {Columns} FROM connections
            WHERE provider = @provider AND (id = @key OR label = @key)
            ORDER BY id = @key DESC LIMIT 1;
            """);
        command.Parameters.AddWithValue("provider", provider);
        command.Parameters.AddWithValue("key", idOrLabel);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<ConnectionRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {Columns} FROM connections ORDER BY provider, label;");
        var rows = new List<ConnectionRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    public async Task<bool> TryInsertAsync(ConnectionRow row, CancellationToken cancellationToken)
    {
        // ON CONFLICT DO NOTHING: a taken (provider, label) inserts nothing, so nothing is notified either.
        await using var command = _dataSource.CreateCommand($"""
            WITH inserted AS (
              INSERT INTO connections ({Columns}) VALUES ({Parameters}) ON CONFLICT DO NOTHING RETURNING id)
            {NotifySelect("inserted")}
            """);
        Bind(command, row with { Version = 1 });
        if (await ExecuteNotifyingAsync(command, cancellationToken) == 0)
        {
            return false;
        }

        Changed?.Invoke(row.Id);
        return true;
    }

    public async Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, CancellationToken cancellationToken)
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
                last_error_at = @last_error_at, metadata = @metadata, updated_at = @updated_at, version = version + 1
              WHERE id = @id AND version = @version
              RETURNING id)
            {NotifySelect("updated")}
            """);
        Bind(command, row);
        if (await ExecuteNotifyingAsync(command, cancellationToken) == 0)
        {
            return null;
        }

        Changed?.Invoke(row.Id);
        return row with { Version = row.Version + 1 };
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"""
            WITH deleted AS (DELETE FROM connections WHERE id = @id RETURNING id)
            {NotifySelect("deleted")}
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("origin", _origin);
        if (await ExecuteNotifyingAsync(command, cancellationToken) == 0)
        {
            return false;
        }

        Changed?.Invoke(id);
        return true;
    }

    /// <summary>
    /// Runs <paramref name="action"/> holding <c>pg_advisory_xact_lock</c> for the connection, in a transaction kept
    /// open on a connection of its own until the action finishes. The action's reads and writes go through other
    /// pooled connections: an advisory lock blocks only other lockers, never rows (a <c>SELECT … FOR UPDATE</c> here
    /// would block the action's own compare-and-swap). Transaction-scoped, so nothing outlives the transaction behind
    /// PgBouncer, and if this process dies the server ends the transaction and the next instance in line gets the lock.
    /// </summary>
    /// <exception cref="TimeoutException">Another instance held the lock longer than the lock timeout.</exception>
    public async Task<T> RunExclusiveAsync<T>(string id, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        await using var connection = await OpenLockConnectionAsync(id, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var milliseconds = (long)_lockTimeout.TotalMilliseconds;
        // SET LOCAL lasts as long as the transaction, so the settings never leak into a pooled session.
        // lock_timeout: how long we wait for another instance's refresh (see LockTimeoutFor).
        // idle_in_transaction_session_timeout: this transaction sits idle while the action runs; if this process
        // stops talking without its connection closing, the server ends the session and frees the lock after that.
        await using (var command = new NpgsqlCommand(
            $"""
            SET LOCAL lock_timeout = {milliseconds};
            SET LOCAL idle_in_transaction_session_timeout = {milliseconds};
            SELECT pg_advisory_xact_lock({RefreshLockSpace}, hashtext(@id));
            """,
            connection,
            transaction))
        {
            command.Parameters.AddWithValue("id", id);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                Log.RefreshLockTimedOut(_logger, id, _lockTimeout.TotalSeconds);
                throw new TimeoutException($"Another instance held the refresh lock of {id} for more than {_lockTimeout.TotalSeconds:F0} s.", e);
            }
        }

        var result = await action(cancellationToken);
        try
        {
            // Nothing was written in this transaction: committing only releases the lock.
            await transaction.CommitAsync(CancellationToken.None);
        }
        catch (NpgsqlException e)
        {
            // The lock connection broke while the action ran. The action's writes were compare-and-swap on other
            // connections, so the row is consistent; say so, since another instance may have refreshed meanwhile.
            Log.RefreshLockLost(_logger, id, e);
        }

        return result;
    }

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

    private async Task<NpgsqlConnection> OpenLockConnectionAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await _lockSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException)
        {
            // Every lock connection of this instance is busy with other refreshes for longer than Timeout.
            Log.RefreshLockTimedOut(_logger, id, _lockTimeout.TotalSeconds);
            throw new TimeoutException($"No connection was free to take the refresh lock of {id}.", e);
        }
    }

    /// <summary>Runs a statement built with <see cref="NotifySelect"/>; the rows it returns are the rows it wrote.</summary>
    private static async Task<int> ExecuteNotifyingAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var written = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            written++;
        }

        return written;
    }

    private static async Task<ConnectionRow?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private const string Columns =
        "id, provider, label, workspace, status, account_id, account_email, account_name, scopes, token_type, " +
        "access_token, refresh_token, expires_at, last_refreshed_at, last_error_code, last_error_description, " +
        "last_error_at, metadata, created_at, updated_at, version";

    private const string Parameters =
        "@id, @provider, @label, @workspace, @status, @account_id, @account_email, @account_name, @scopes, @token_type, " +
        "@access_token, @refresh_token, @expires_at, @last_refreshed_at, @last_error_code, @last_error_description, " +
        "@last_error_at, @metadata, @created_at, @updated_at, @version";

    private void Bind(NpgsqlCommand command, ConnectionRow row)
    {
        var p = command.Parameters;
        p.AddWithValue("id", row.Id);
        p.AddWithValue("provider", row.Provider);
        p.AddWithValue("label", row.Label);
        p.Add(Text("workspace", row.Workspace));
        p.AddWithValue("status", row.Status.ToWire());
        p.Add(Text("account_id", row.Account?.Id));
        p.Add(Text("account_email", row.Account?.Email));
        p.Add(Text("account_name", row.Account?.Name));
        p.AddWithValue("scopes", string.Join(' ', row.Scopes));
        p.Add(Text("token_type", row.TokenType));
        p.Add(Text("access_token", row.AccessToken));
        p.Add(Text("refresh_token", row.RefreshToken));
        p.Add(Time("expires_at", row.ExpiresAt));
        p.Add(Time("last_refreshed_at", row.LastRefreshedAt));
        p.Add(Text("last_error_code", row.LastError?.Code));
        p.Add(Text("last_error_description", row.LastError?.Description));
        p.Add(Time("last_error_at", row.LastError?.At));
        p.Add(Text("metadata", row.Metadata.Count == 0 ? null : JsonSerializer.Serialize(row.Metadata)));
        p.Add(Time("created_at", row.CreatedAt));
        p.Add(Time("updated_at", row.UpdatedAt));
        p.AddWithValue("version", row.Version);
        p.AddWithValue("origin", _origin);
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    // timestamptz takes UTC only (Npgsql refuses other offsets); it keeps microseconds.
    private static NpgsqlParameter Time(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value };

    private static ConnectionRow Read(NpgsqlDataReader r)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
        var (accountId, email, name) = (S(5), S(6), S(7));
        var errorCode = S(14);
        return new ConnectionRow
        {
            Id = r.GetString(0),
            Provider = r.GetString(1),
            Label = r.GetString(2),
            Workspace = S(3),
            Status = ConnectionStatusNames.Parse(r.GetString(4)),
            Account = accountId is null && email is null && name is null ? null : new ConnectionAccount(accountId, email, name),
            Scopes = r.GetString(8).Split(' ', StringSplitOptions.RemoveEmptyEntries),
            TokenType = S(9),
            AccessToken = S(10),
            RefreshToken = S(11),
            ExpiresAt = T(12),
            LastRefreshedAt = T(13),
            LastError = errorCode is null ? null : new ConnectionError(errorCode, S(15), T(16) ?? DateTimeOffset.UnixEpoch),
            Metadata = S(17) is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : new Dictionary<string, string>(),
            CreatedAt = r.GetFieldValue<DateTimeOffset>(18),
            UpdatedAt = r.GetFieldValue<DateTimeOffset>(19),
            Version = r.GetInt64(20),
        };
    }
}
