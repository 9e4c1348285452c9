using Npgsql;

namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore
{
    /// <summary>
    /// The refresh lock timeout for the longest a refresh runs (<c>TokenProxy:Refresh:Timeout</c> and the two minutes it
    /// still waits for a late answer, 2 min 30 s by default): that plus 15 s. A live holder keeps the lock no longer than
    /// its own run limit (its token call is cancelled then), and it started before any waiter; a waiter's run limit, which
    /// also cancels its wait, therefore never fires before a live holder is done, and this longer server-side limit is
    /// only the backstop for when that cancellation cannot reach the server. The same value, as
    /// <c>idle_in_transaction_session_timeout</c>, bounds how long the server keeps the lock of a holder that stopped
    /// talking without closing its connection (a frozen process, a network partition).
    /// </summary>
    public static TimeSpan LockTimeoutFor(TimeSpan runLimit) => runLimit + TimeSpan.FromSeconds(15);

    /// <summary>
    /// Runs <paramref name="action"/> holding <c>pg_advisory_xact_lock</c> for the connection, in a transaction kept
    /// open on a connection of its own until the action finishes. The action's reads and writes go through other
    /// pooled connections: an advisory lock blocks only other lockers, never rows (a <c>SELECT … FOR UPDATE</c> here
    /// would block the action's own compare-and-swap). Transaction-scoped, so nothing outlives the transaction behind
    /// PgBouncer, and if this process dies the server ends the transaction and the next instance in line gets the lock.
    /// </summary>
    /// <exception cref="TimeoutException">Another instance held the lock longer than the lock timeout.</exception>
    public Task<T> RunExclusiveAsync<T>(string id, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken) => _availability.RunAsync(async () =>
    {
        var started = _time.GetTimestamp();
        await using var connection = await OpenLockConnectionAsync(id, started, cancellationToken);
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
            // The wait for another instance's refresh is this one command: the server's lock_timeout bounds it, not the
            // connection string's Command Timeout (30 s by default, shorter than a refresh may hold the lock).
            command.CommandTimeout = (int)Math.Ceiling((_lockTimeout + TimeSpan.FromSeconds(15)).TotalSeconds);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                // The waited time, measured here: the server's lock_timeout also runs out when the server itself stood still.
                Log.RefreshLockTimedOut(_logger, id, (long)_time.GetElapsedTime(started).TotalSeconds, $"another instance held it past the lock timeout ({_lockTimeout.TotalSeconds:F0} s)");
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
            // connections, so the row is consistent; say so, since another instance may have refreshed meanwhile. An
            // operational event, not a bug: the reason, without a stack trace.
            Log.RefreshLockLost(_logger, id, StoreAvailability.Describe(e));
        }

        return result;
    }, IsOutage, write: false, enclosing: true);

    private async Task<NpgsqlConnection> OpenLockConnectionAsync(string id, long started, CancellationToken cancellationToken)
    {
        try
        {
            return await _lockSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException)
        {
            // Every lock connection of this instance is busy with other refreshes for longer than Timeout.
            Log.RefreshLockTimedOut(_logger, id, (long)_time.GetElapsedTime(started).TotalSeconds, "no connection of this instance's lock pool was free");
            throw new TimeoutException($"No connection was free to take the refresh lock of {id}.", e);
        }
    }
}
