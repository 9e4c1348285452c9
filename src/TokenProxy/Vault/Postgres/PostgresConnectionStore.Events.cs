using Npgsql;
using NpgsqlTypes;
using TokenProxy.Events;

namespace TokenProxy.Vault.Postgres;

/// <summary>
/// The event log in the <c>events</c> table (docs/architecture.md, §10). An identity column would hand out numbers at
/// insert, and a transaction that took 5 could commit after one that took 6: a reader that had seen 6 would ask for what
/// follows 6 and never see 5. So a write that carries events takes its numbers from the one row of <c>event_sequence</c>,
/// in its own statement: the row stays locked until that transaction ends, the next writer of events waits for it, and
/// numbers become visible in the order they were given. Writes without events never touch that row.
/// </summary>
internal sealed partial class PostgresConnectionStore : IEventStore
{
    /// <summary>The LISTEN/NOTIFY channel of committed events; the payload is "{origin} {highest sequence}".</summary>
    internal const string EventChannel = "tokenproxy_events";

    private readonly ILogger _eventLogger;

    /// <summary>Raised after events commit here, and when another instance's commit is heard on <see cref="EventChannel"/>.</summary>
    public event Action<long>? Appended;

    public Task AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        if (events.Count == 0)
        {
            return 0;
        }

        // No row changes: "written" is one row, so the events are always appended.
        await using var command = _dataSource.CreateCommand($"""
            WITH written AS (SELECT 1)
            {EventsCte("written")}
            SELECT {AppendedColumns};
            """);
        command.Parameters.AddWithValue("origin", _origin);
        var at = BindEvents(command, events);
        var (_, appended) = await ExecuteWritingAsync(command, events, at, cancellationToken);
        Announce(appended);
        return appended.Count;
    });

    public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(StoredEvents.ReadAfter);
        command.Parameters.AddWithValue("after", afterSequence);
        command.Parameters.AddWithValue("limit", limit);
        return await StoredEvents.ReadAsync(command, TimeColumn, cancellationToken);
    });

    public Task<IReadOnlyList<StoredEvent>> QueryAsync(EventQuery query, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(StoredEvents.Page(query));
        var p = command.Parameters;
        p.Add(Text("workspace", query.Workspace));
        p.Add(Text("connection", query.ConnectionId));
        p.Add(Text("type", query.Type));
        p.Add(Time("since", query.Since));
        p.Add(new NpgsqlParameter("before", NpgsqlDbType.Bigint) { Value = (object?)query.Before ?? DBNull.Value });
        p.AddWithValue("limit", query.Limit);
        return await StoredEvents.ReadAsync(command, TimeColumn, cancellationToken);
    });

    public Task<int> PruneAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(StoredEvents.Prune);
        command.Parameters.Add(Time("before", before));
        command.Parameters.AddWithValue("batch", batchSize);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    });

    /// <summary>
    /// The tail of a write statement whose CTE <paramref name="writtenRows"/> returns the rows it wrote (their <c>id</c>
    /// when they are connections): for connections the change notification as before; with events, their numbers, their
    /// rows and their notification, all only when a row was written (a lost compare-and-swap appends nothing). Another
    /// table's write (<paramref name="connections"/> false) notifies only its events. Bind with <see cref="BindEvents"/>
    /// and an <c>origin</c> parameter; read with <see cref="ExecuteWritingAsync"/>.
    /// </summary>
    private static string WriteTail(string writtenRows, IReadOnlyList<NewEvent> events, bool connections = true) =>
        (events.Count, connections) switch
        {
            (0, true) => NotifySelect(writtenRows),
            (0, false) => $"SELECT 1 FROM {writtenRows};",
            (_, true) => $"{EventsCte(writtenRows)} SELECT pg_notify('{Channel}', @origin || ' ' || id), {AppendedColumns} FROM {writtenRows};",
            _ => $"{EventsCte(writtenRows)} SELECT 1, {AppendedColumns} FROM {writtenRows};",
        };

    private const string AppendedColumns =
        "(SELECT array_agg(id ORDER BY sequence) FROM appended) AS event_ids, " +
        "(SELECT array_agg(sequence ORDER BY sequence) FROM appended) AS event_sequences, " +
        "(SELECT count(*) FROM event_notified) AS event_notified";

    private static string EventsCte(string writtenRows) => $"""
        , event_seq AS (
          UPDATE event_sequence SET last = last + @event_count WHERE EXISTS (SELECT 1 FROM {writtenRows}) RETURNING last),
        appended AS (
          INSERT INTO events (sequence, id, type, created_at, workspace, end_user, connection_id, provider, actor, data, once_key)
          SELECT s.last - @event_count + e.ord, e.id, e.type, @event_at, e.workspace, e.end_user, e.connection_id, e.provider, e.actor, e.data, e.once_key
          FROM event_seq s, unnest(@event_ids, @event_types, @event_workspaces, @event_end_users, @event_connections, @event_providers, @event_actors, @event_data, @event_once)
            WITH ORDINALITY AS e(id, type, workspace, end_user, connection_id, provider, actor, data, once_key, ord)
          ON CONFLICT (once_key) DO NOTHING
          RETURNING id, sequence),
        event_notified AS (
          SELECT pg_notify('{EventChannel}', @origin || ' ' || max(sequence)) FROM appended HAVING count(*) > 0)
        """;

    /// <summary>Binds the events of a statement built with <see cref="WriteTail"/>; the time they are given.</summary>
    private DateTimeOffset BindEvents(NpgsqlCommand command, IReadOnlyList<NewEvent> events)
    {
        // Milliseconds, as SQLite keeps them: both stores answer alike.
        var at = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        if (events.Count == 0)
        {
            return at;
        }

        var p = command.Parameters;
        p.AddWithValue("event_count", events.Count);
        p.Add(Time("event_at", at));
        p.Add(Texts("event_ids", events.Select(_ => (string?)StoredEvents.NewId())));
        p.Add(Texts("event_types", events.Select(e => (string?)e.Type)));
        p.Add(Texts("event_workspaces", events.Select(e => e.Workspace)));
        p.Add(Texts("event_end_users", events.Select(e => e.EndUser)));
        p.Add(Texts("event_connections", events.Select(e => e.ConnectionId)));
        p.Add(Texts("event_providers", events.Select(e => e.Provider)));
        p.Add(Texts("event_actors", events.Select(e => (string?)e.Actor)));
        p.Add(Texts("event_data", events.Select(e => (string?)StoredEvents.DataJson(e))));
        p.Add(Texts("event_once", events.Select(e => e.Once)));
        return at;
    }

    private static NpgsqlParameter Texts(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };

    /// <summary>Runs a statement built with <see cref="WriteTail"/>: how many rows it wrote, and the events it appended.</summary>
    private static async Task<(int Written, IReadOnlyList<StoredEvent> Appended)> ExecuteWritingAsync(
        NpgsqlCommand command, IReadOnlyList<NewEvent> events, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var written = 0;
        var appended = new List<StoredEvent>();
        var ids = events.Count == 0 ? [] : (string?[])command.Parameters["event_ids"].Value!;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            written++;
            if (events.Count == 0)
            {
                continue;
            }

            var column = reader.GetOrdinal("event_ids");
            if (appended.Count > 0 || reader.IsDBNull(column))
            {
                continue;
            }

            var committedIds = reader.GetFieldValue<string[]>(column);
            var sequences = reader.GetFieldValue<long[]>(reader.GetOrdinal("event_sequences"));
            for (var i = 0; i < committedIds.Length; i++)
            {
                var e = events[Array.IndexOf(ids, committedIds[i])];
                appended.Add(StoredEvents.Committed(e, sequences[i], committedIds[i], at));
            }
        }

        return (written, appended);
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

    /// <summary>Another instance committed events up to the sequence in the payload.</summary>
    private void OnEventNotification(string payload)
    {
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && !payload.AsSpan(0, space).SequenceEqual(_origin)
            && long.TryParse(payload.AsSpan(space + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
        {
            Appended?.Invoke(sequence);
        }
    }
}
