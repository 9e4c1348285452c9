using TokenProxy.Events;

namespace TokenProxy.Vault.Sqlite;

/// <summary>Webhooks and their outbox (docs/architecture.md §12); one process per file, so a claim needs no row lock.</summary>
internal sealed partial class SqliteConnectionStore : IWebhookStore
{
    private static readonly WebhookSql Webhooks = new(t => t.ToUnixTimeMilliseconds(), TimeColumn, shared: false);

    public Task<IReadOnlyList<WebhookRow>> ListWebhooksAsync(CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await Webhooks.ListAsync(connection, null, cancellationToken);
    });

    public Task<WebhookRow?> GetWebhookAsync(string name, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await Webhooks.ListAsync(connection, name, cancellationToken) is [var found, ..] ? found : null;
    });

    public Task<bool> SaveWebhookAsync(WebhookRow webhook, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        var inserted = await Webhooks.SaveAsync(connection, transaction, webhook, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    });

    public Task<bool> TryResealWebhookAsync(string name, string expected, string resealed, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WebhookSql.ResealAsync(connection, name, expected, resealed, cancellationToken);
    });

    public Task<bool> DeleteWebhookAsync(string name, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        var deleted = await WebhookSql.DeleteAsync(connection, transaction, name, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    });

    public Task<int> FanOutAsync(string name, int limit, DateTimeOffset now, Func<StoredEvent, WebhookDraft?> draft, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        // BEGIN IMMEDIATE (the default here): the cursor read and the inserts are one write transaction.
        await using var transaction = connection.BeginTransaction();
        var read = await Webhooks.FanOutAsync(connection, transaction, name, limit, now, draft, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return read;
    });

    public Task<IReadOnlyList<WebhookDelivery>> ClaimDeliveriesAsync(
        string owner, DateTimeOffset now, DateTimeOffset until, int limit, int perWebhook, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await Webhooks.ClaimAsync(connection, owner, now, until, limit, perWebhook, cancellationToken);
    });

    public Task ReleaseOrphanedClaimsAsync(CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE webhook_deliveries SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by IS NOT NULL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    });

    public Task RecordAttemptsAsync(string owner, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        await Webhooks.RecordAsync(connection, transaction, owner, attempts, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    });

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(string webhook, long? before, int limit, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await Webhooks.ListDeliveriesAsync(connection, webhook, before, limit, cancellationToken);
    });

    public Task<bool> RedeliverAsync(string webhook, long id, DateTimeOffset now, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await Webhooks.RedeliverAsync(connection, webhook, id, now, cancellationToken);
    });

    public Task<long> InsertDeliveryAsync(string webhook, string eventId, string eventType, WebhookDraft draft, DateTimeOffset now, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await Webhooks.InsertAsync(connection, webhook, eventId, eventType, draft, now, cancellationToken);
    });
}
