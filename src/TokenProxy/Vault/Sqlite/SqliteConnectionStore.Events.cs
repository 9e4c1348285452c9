using Microsoft.Data.Sqlite;
using TokenProxy.Events;

namespace TokenProxy.Vault.Sqlite;

/// <summary>
/// The event log in the <c>events</c> table (docs/architecture.md, §10). SQLite has one writer at a time, so the
/// AUTOINCREMENT sequence is assigned in commit order and a reader never sees a later sequence before an earlier one.
/// </summary>
internal sealed partial class SqliteConnectionStore : IEventStore
{
    private readonly ILogger _eventLogger = eventLogger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Raised in this process after events commit: one process per file, so every event is this process's own.</summary>
    public event Action<long>? Appended;

    public Task AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        var appended = await InsertEventsAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Announce(appended);
    });

    public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = StoredEvents.ReadAfter;
        command.Parameters.AddWithValue("@after", afterSequence);
        command.Parameters.AddWithValue("@limit", limit);
        return await StoredEvents.ReadAsync(command, TimeColumn, cancellationToken);
    });

    public Task<IReadOnlyList<StoredEvent>> QueryAsync(EventQuery query, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = StoredEvents.Page(query);
        command.Parameters.AddWithValue("@workspace", (object?)query.Workspace ?? DBNull.Value);
        command.Parameters.AddWithValue("@connection", (object?)query.ConnectionId ?? DBNull.Value);
        command.Parameters.AddWithValue("@type", (object?)query.Type ?? DBNull.Value);
        command.Parameters.AddWithValue("@since", ToUnix(query.Since));
        command.Parameters.AddWithValue("@before", (object?)query.Before ?? DBNull.Value);
        command.Parameters.AddWithValue("@limit", query.Limit);
        return await StoredEvents.ReadAsync(command, TimeColumn, cancellationToken);
    });

    public Task<int> PruneAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = StoredEvents.Prune;
        command.Parameters.AddWithValue("@before", before.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@batch", batchSize);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    });

    /// <summary>A transaction for a write that carries events; none (autocommit, as before) for one that carries none.</summary>
    private static SqliteTransaction? BeginFor(SqliteConnection connection, IReadOnlyList<NewEvent> events) =>
        events.Count == 0 ? null : connection.BeginTransaction();

    /// <summary>Appends <paramref name="events"/> in the change's transaction and commits it; the events as committed.</summary>
    private async Task<IReadOnlyList<StoredEvent>> CommitWithAsync(
        SqliteConnection connection, SqliteTransaction? transaction, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        if (transaction is null)
        {
            return [];
        }

        var appended = await InsertEventsAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return appended;
    }

    private async Task<IReadOnlyList<StoredEvent>> InsertEventsAsync(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        // Milliseconds, as the column keeps them: the event told after the commit reads as the stored one.
        var at = DateTimeOffset.FromUnixTimeMilliseconds((time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds());
        var appended = new List<StoredEvent>(events.Count);
        foreach (var e in events)
        {
            var id = StoredEvents.NewId();
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO events (id, type, created_at, workspace, end_user, connection_id, provider, actor, data, once_key)
                VALUES (@id, @type, @created_at, @workspace, @end_user, @connection_id, @provider, @actor, @data, @once_key)
                ON CONFLICT (once_key) DO NOTHING RETURNING sequence;
                """;
            var p = command.Parameters;
            p.AddWithValue("@id", id);
            p.AddWithValue("@type", e.Type);
            p.AddWithValue("@created_at", at.ToUnixTimeMilliseconds());
            p.AddWithValue("@workspace", (object?)e.Workspace ?? DBNull.Value);
            p.AddWithValue("@end_user", (object?)e.EndUser ?? DBNull.Value);
            p.AddWithValue("@connection_id", (object?)e.ConnectionId ?? DBNull.Value);
            p.AddWithValue("@provider", (object?)e.Provider ?? DBNull.Value);
            p.AddWithValue("@actor", e.Actor);
            p.AddWithValue("@data", StoredEvents.DataJson(e));
            p.AddWithValue("@once_key", (object?)e.Once ?? DBNull.Value);
            if (await command.ExecuteScalarAsync(cancellationToken) is long sequence)
            {
                appended.Add(StoredEvents.Committed(e, sequence, id, at));
            }
        }

        return appended;
    }

    /// <summary>After the commit: the span events and log records, then <see cref="Appended"/>.</summary>
    private void Announce(IReadOnlyList<StoredEvent> appended)
    {
        if (appended.Count == 0)
        {
            return;
        }

        EventTelemetry.Committed(appended, _eventLogger);
        Appended?.Invoke(appended[^1].Sequence);
    }
}
