using System.Data.Common;
using TokenProxy.Events;

namespace TokenProxy.Vault;

/// <summary>
/// <see cref="IWebhookStore"/> on either store (docs/architecture.md §12): one schema, <c>@name</c> parameters in both, and
/// only three differences passed in — how a time is bound and read, and on a shared store (PostgreSQL) the row locks that
/// keep instances apart (the webhook's row during a fan-out, <c>FOR UPDATE SKIP LOCKED</c> on a claim).
/// </summary>
internal sealed class WebhookSql(Func<DateTimeOffset, object> bindTime, Func<DbDataReader, int, DateTimeOffset> readTime, bool shared)
{
    /// <summary>
    /// Deletes the webhooks made through the admin API for a workspace (<c>@workspace</c>, <c>@api</c>) and their deliveries,
    /// in the commit that deletes it: one created again under that id, for another client, is told nothing meant for the
    /// old one's receiver. Configured webhooks stay as configured (and are warned about at start while it is missing).
    /// </summary>
    public const string DeleteInWorkspace =
        "DELETE FROM webhook_deliveries WHERE webhook IN (SELECT name FROM webhooks WHERE workspace = @workspace AND origin = @api); " +
        "DELETE FROM webhooks WHERE workspace = @workspace AND origin = @api;";

    private const string WebhookColumns = "name, url, secret, events, workspace, origin, last_sequence, created_at, updated_at";

    private const string DeliveryColumns =
        "id, webhook, event_id, event_type, ordering_key, payload, status, attempts, next_attempt_at, last_status, last_error, created_at, updated_at";

    public async Task<IReadOnlyList<WebhookRow>> ListAsync(DbConnection connection, string? name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {WebhookColumns} FROM webhooks {(name is null ? string.Empty : "WHERE name = @name")} ORDER BY name;";
        if (name is not null)
        {
            Add(command, "name", name);
        }

        var rows = new List<WebhookRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new WebhookRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetString(3).Split(',', StringSplitOptions.RemoveEmptyEntries),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetInt64(6), readTime(reader, 7), readTime(reader, 8)));
        }

        return rows;
    }

    public async Task<bool> SaveAsync(DbConnection connection, DbTransaction transaction, WebhookRow webhook, CancellationToken cancellationToken)
    {
        await using var exists = connection.CreateCommand();
        exists.Transaction = transaction;
        exists.CommandText = $"SELECT 1 FROM webhooks WHERE name = @name{(shared ? " FOR UPDATE" : string.Empty)};";
        Add(exists, "name", webhook.Name);
        var inserted = await exists.ExecuteScalarAsync(cancellationToken) is null;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // A new webhook starts at the newest event: it hears what happens from now on, not the whole history.
        command.CommandText = inserted
            ? $"""
              INSERT INTO webhooks ({WebhookColumns})
              SELECT @name, @url, @secret, @events, @workspace, @origin, coalesce(max(sequence), 0), @created_at, @updated_at FROM events;
              """
            : """
              UPDATE webhooks SET url = @url, secret = @secret, events = @events, workspace = @workspace, origin = @origin, updated_at = @updated_at
              WHERE name = @name;
              """;
        Add(command, "name", webhook.Name);
        Add(command, "url", webhook.Url);
        Add(command, "secret", webhook.SealedSecret);
        Add(command, "events", string.Join(',', webhook.Events));
        Add(command, "workspace", webhook.Workspace);
        Add(command, "origin", webhook.Origin);
        Add(command, "created_at", bindTime(webhook.CreatedAt));
        Add(command, "updated_at", bindTime(webhook.UpdatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return inserted;
    }

    public static async Task<bool> ResealAsync(DbConnection connection, string name, string expected, string resealed, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE webhooks SET secret = @resealed WHERE name = @name AND secret = @expected;";
        Add(command, "name", name);
        Add(command, "expected", expected);
        Add(command, "resealed", resealed);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public static async Task<bool> DeleteAsync(DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var deliveries = connection.CreateCommand();
        deliveries.Transaction = transaction;
        deliveries.CommandText = "DELETE FROM webhook_deliveries WHERE webhook = @name;";
        Add(deliveries, "name", name);
        await deliveries.ExecuteNonQueryAsync(cancellationToken);
        await using var webhook = connection.CreateCommand();
        webhook.Transaction = transaction;
        webhook.CommandText = "DELETE FROM webhooks WHERE name = @name;";
        Add(webhook, "name", name);
        return await webhook.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<int> FanOutAsync(
        DbConnection connection, DbTransaction transaction, string name, int limit, DateTimeOffset now, Func<StoredEvent, WebhookDraft?> draft, CancellationToken cancellationToken)
    {
        await using var cursor = connection.CreateCommand();
        cursor.Transaction = transaction;
        // On PostgreSQL the row lock makes every other instance's fan-out of this webhook wait for this one's commit, and
        // then read the cursor it moved: each event is fanned out once.
        cursor.CommandText = $"SELECT last_sequence FROM webhooks WHERE name = @name{(shared ? " FOR UPDATE" : string.Empty)};";
        Add(cursor, "name", name);
        if (await cursor.ExecuteScalarAsync(cancellationToken) is not { } found)
        {
            return 0;
        }

        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = StoredEvents.ReadAfter;
        Add(read, "after", Convert.ToInt64(found, System.Globalization.CultureInfo.InvariantCulture));
        Add(read, "limit", limit);
        var events = await StoredEvents.ReadAsync(read, readTime, cancellationToken);
        if (events.Count == 0)
        {
            return 0;
        }

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO webhook_deliveries (webhook, event_id, event_type, ordering_key, payload, status, attempts, next_attempt_at, created_at, updated_at)
            VALUES (@webhook, @event_id, @event_type, @ordering_key, @payload, 'pending', 0, @now, @now, @now)
            ON CONFLICT (webhook, event_id) DO NOTHING;
            """;
        var webhook = Add(insert, "webhook", name);
        var eventId = Add(insert, "event_id", string.Empty);
        var eventType = Add(insert, "event_type", string.Empty);
        var orderingKey = Add(insert, "ordering_key", string.Empty);
        var payload = Add(insert, "payload", string.Empty);
        Add(insert, "now", bindTime(now));
        foreach (var e in events)
        {
            if (draft(e) is not { } made)
            {
                continue;
            }

            eventId.Value = e.Id;
            eventType.Value = e.Type;
            orderingKey.Value = made.OrderingKey;
            payload.Value = made.Payload;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var advance = connection.CreateCommand();
        advance.Transaction = transaction;
        advance.CommandText = "UPDATE webhooks SET last_sequence = @last WHERE name = @name;";
        Add(advance, "name", name);
        Add(advance, "last", events[^1].Sequence);
        await advance.ExecuteNonQueryAsync(cancellationToken);
        return events.Count;
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ClaimAsync(
        DbConnection connection, string owner, DateTimeOffset now, DateTimeOffset until, int limit, int perWebhook, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        // Only the oldest pending delivery of a webhook and ordering key is ever a candidate, so a connection's events are
        // sent one after another, in order. A webhook has at most perWebhook deliveries claimed at once, counting those
        // held now by any instance, so a receiver that hangs holds that many sends, never all of them: the candidates are
        // ranked per webhook (in a CTE, as PostgreSQL locks no rows at a level with window functions). SKIP LOCKED lets
        // instances claim side by side without waiting on each other; a row another instance claimed since this
        // statement's snapshot fails the recheck of its claim when locked.
        command.CommandText = $"""
            WITH candidates AS (
              SELECT d.id, d.webhook, row_number() OVER (PARTITION BY d.webhook ORDER BY d.id) AS place
              FROM webhook_deliveries d
              WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND (d.claimed_until IS NULL OR d.claimed_until < @now)
                AND NOT EXISTS (
                  SELECT 1 FROM webhook_deliveries o
                  WHERE o.webhook = d.webhook AND o.ordering_key = d.ordering_key AND o.status = 'pending' AND o.id < d.id)
            ), held AS (
              SELECT webhook, count(*) AS sending FROM webhook_deliveries
              WHERE status = 'pending' AND claimed_until >= @now GROUP BY webhook
            )
            UPDATE webhook_deliveries SET claimed_by = @owner, claimed_until = @until
            WHERE id IN (
              SELECT t.id FROM webhook_deliveries t
              JOIN candidates c ON c.id = t.id
              LEFT JOIN held h ON h.webhook = c.webhook
              WHERE c.place <= @perWebhook - coalesce(h.sending, 0)
                AND t.status = 'pending' AND (t.claimed_until IS NULL OR t.claimed_until < @now)
              ORDER BY t.id LIMIT @limit{(shared ? " FOR UPDATE OF t SKIP LOCKED" : string.Empty)})
            RETURNING {DeliveryColumns};
            """;
        Add(command, "owner", owner);
        Add(command, "now", bindTime(now));
        Add(command, "until", bindTime(until));
        Add(command, "limit", limit);
        Add(command, "perWebhook", perWebhook);
        var claimed = await ReadDeliveriesAsync(command, cancellationToken);
        return [.. claimed.OrderBy(d => d.Id)];
    }

    public async Task RecordAsync(DbConnection connection, DbTransaction transaction, string owner, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE webhook_deliveries
            SET status = @status, attempts = @attempts, next_attempt_at = @next, last_status = @last_status, last_error = @last_error,
                updated_at = @at, claimed_by = NULL, claimed_until = NULL
            WHERE id = @id AND claimed_by = @owner;
            """;
        Add(command, "owner", owner);
        var id = Add(command, "id", 0L);
        var status = Add(command, "status", string.Empty);
        var count = Add(command, "attempts", 0);
        var next = Add(command, "next", bindTime(DateTimeOffset.UnixEpoch));
        var lastStatus = Add(command, "last_status", 0, System.Data.DbType.Int32);
        var lastError = Add(command, "last_error", string.Empty, System.Data.DbType.String);
        var at = Add(command, "at", bindTime(DateTimeOffset.UnixEpoch));
        foreach (var attempt in attempts)
        {
            id.Value = attempt.Id;
            status.Value = attempt.Status;
            count.Value = attempt.Attempts;
            next.Value = bindTime(attempt.NextAttemptAt);
            lastStatus.Value = (object?)attempt.LastStatus ?? DBNull.Value;
            lastError.Value = (object?)attempt.LastError ?? DBNull.Value;
            at.Value = bindTime(attempt.At);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(DbConnection connection, string webhook, long? before, int limit, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {DeliveryColumns} FROM webhook_deliveries
            WHERE webhook = @webhook{(before is null ? string.Empty : " AND id < @before")} ORDER BY id DESC LIMIT @limit;
            """;
        Add(command, "webhook", webhook);
        if (before is { } b)
        {
            Add(command, "before", b);
        }

        Add(command, "limit", limit);
        return await ReadDeliveriesAsync(command, cancellationToken);
    }

    public async Task<bool> RedeliverAsync(DbConnection connection, string webhook, long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = @now, created_at = @now, updated_at = @now,
              claimed_by = NULL, claimed_until = NULL
            WHERE webhook = @webhook AND id = @id;
            """;
        Add(command, "webhook", webhook);
        Add(command, "id", id);
        Add(command, "now", bindTime(now));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<long> InsertAsync(
        DbConnection connection, string webhook, string eventId, string eventType, WebhookDraft draft, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO webhook_deliveries (webhook, event_id, event_type, ordering_key, payload, status, attempts, next_attempt_at, created_at, updated_at)
            VALUES (@webhook, @event_id, @event_type, @ordering_key, @payload, 'pending', 0, @now, @now, @now)
            RETURNING id;
            """;
        Add(command, "webhook", webhook);
        Add(command, "event_id", eventId);
        Add(command, "event_type", eventType);
        Add(command, "ordering_key", draft.OrderingKey);
        Add(command, "payload", draft.Payload);
        Add(command, "now", bindTime(now));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<List<WebhookDelivery>> ReadDeliveriesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var deliveries = new List<WebhookDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            deliveries.Add(new WebhookDelivery(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), reader.GetInt32(7), readTime(reader, 8), reader.IsDBNull(9) ? null : reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), readTime(reader, 11), readTime(reader, 12)));
        }

        return deliveries;
    }

    /// <summary>A parameter; a text one (or a null) is typed, so PostgreSQL never has to guess the type of a null.</summary>
    private static DbParameter Add(DbCommand command, string name, object? value, System.Data.DbType? type = null)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        if ((type ?? (value is null or string ? System.Data.DbType.String : null)) is { } dbType)
        {
            parameter.DbType = dbType;
        }

        command.Parameters.Add(parameter);
        return parameter;
    }
}
