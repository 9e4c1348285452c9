using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using TokenProxy.Events;

namespace TokenProxy.Vault;

/// <summary>
/// The <c>events</c> table as both stores read it (docs/architecture.md, §10): the column list, the filtered page and
/// the retention batch in SQL both dialects take, and the reading of a row. Times are stored as each store stores them.
/// </summary>
internal static class StoredEvents
{
    public const string Columns = "sequence, id, type, created_at, workspace, end_user, connection_id, provider, actor, data";

    /// <summary>
    /// Deletes one batch of the oldest events created before <c>@before</c>: short transactions, so a large backlog never
    /// holds the write lock (SQLite) or many row locks (PostgreSQL) for long.
    /// </summary>
    public const string Prune = "DELETE FROM events WHERE sequence IN (SELECT sequence FROM events WHERE created_at < @before ORDER BY sequence LIMIT @batch);";

    /// <summary>Events after <c>@after</c>, oldest first, at most <c>@limit</c>.</summary>
    public const string ReadAfter = $"SELECT {Columns} FROM events WHERE sequence > @after ORDER BY sequence LIMIT @limit;";

    /// <summary>Event ids: <c>evt_</c> + 96 random bits.</summary>
    public static string NewId() => "evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>
    /// The page query for <paramref name="query"/>: only the filters it has, so each one can use its index; newest first.
    /// Parameters: <c>@workspace</c>, <c>@connection</c>, <c>@type</c>, <c>@since</c>, <c>@before</c>, <c>@limit</c>.
    /// </summary>
    public static string Page(EventQuery query)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM events WHERE 1 = 1");
        if (query.Workspace is not null)
        {
            sql.Append(" AND workspace = @workspace");
        }

        if (query.ConnectionId is not null)
        {
            sql.Append(" AND connection_id = @connection");
        }

        if (query.Type is not null)
        {
            sql.Append(" AND type = @type");
        }

        if (query.Since is not null)
        {
            sql.Append(" AND created_at >= @since");
        }

        if (query.Before is not null)
        {
            sql.Append(" AND sequence < @before");
        }

        return sql.Append(" ORDER BY sequence DESC LIMIT @limit;").ToString();
    }

    /// <summary>Runs <paramref name="command"/> and reads every row it selects with <see cref="Columns"/>.</summary>
    public static async Task<IReadOnlyList<StoredEvent>> ReadAsync(
        DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        var events = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            string? S(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            events.Add(new StoredEvent(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), time(reader, 3), S(4), S(5), S(6), S(7), reader.GetString(8), ParseData(reader.GetString(9))));
        }

        return events;
    }

    /// <summary>The event as committed, once the store has given it a sequence, an id and a time.</summary>
    public static StoredEvent Committed(NewEvent e, long sequence, string id, DateTimeOffset at) =>
        new(sequence, id, e.Type, at, e.Workspace, e.EndUser, e.ConnectionId, e.Provider, e.Actor, e.Data?.DeepClone().AsObject() ?? []);

    /// <summary>The data column: a JSON object (an empty one when the event has no details).</summary>
    public static string DataJson(NewEvent e) => e.Data?.ToJsonString() ?? "{}";

    private static JsonObject ParseData(string json) => JsonNode.Parse(json) as JsonObject ?? [];
}
