using TokenProxy.Events;

namespace TokenProxy.Vault.Postgres;

/// <summary>
/// Webhooks and their outbox (docs/architecture.md §12), shared by every instance: a fan-out locks its webhook's row, a
/// claim skips rows another instance is claiming, and a claim lapses at its time when its instance died.
/// </summary>
internal sealed partial class PostgresConnectionStore : IWebhookStore
{
    private static readonly WebhookSql Webhooks = new(t => t.ToUniversalTime(), TimeColumn, shared: true);

    public Task<IReadOnlyList<WebhookRow>> ListWebhooksAsync(CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await Webhooks.ListAsync(connection, null, cancellationToken);
    });

    public Task<WebhookRow?> GetWebhookAsync(string name, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await Webhooks.ListAsync(connection, name, cancellationToken) is [var found, ..] ? found : null;
    });

    public Task<bool> SaveWebhookAsync(WebhookRow webhook, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await Webhooks.SaveAsync(connection, transaction, webhook, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    });

    public Task<bool> TryResealWebhookAsync(string name, string expected, string resealed, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await WebhookSql.ResealAsync(connection, name, expected, resealed, cancellationToken);
    });

    public Task<bool> DeleteWebhookAsync(string name, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await WebhookSql.DeleteAsync(connection, transaction, name, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    });

    public Task<int> FanOutAsync(string name, int limit, DateTimeOffset now, Func<StoredEvent, WebhookDraft?> draft, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var read = await Webhooks.FanOutAsync(connection, transaction, name, limit, now, draft, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return read;
    });

    public Task<IReadOnlyList<WebhookDelivery>> ClaimDeliveriesAsync(
        string owner, DateTimeOffset now, DateTimeOffset until, int limit, int perWebhook, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await Webhooks.ClaimAsync(connection, owner, now, until, limit, perWebhook, cancellationToken);
    });

    /// <summary>Nothing: another instance may hold a claim; a dead one's lapses at its time.</summary>
    public Task ReleaseOrphanedClaimsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RecordAttemptsAsync(string owner, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Webhooks.RecordAsync(connection, transaction, owner, attempts, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    });

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(string webhook, long? before, int limit, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await Webhooks.ListDeliveriesAsync(connection, webhook, before, limit, cancellationToken);
    });

    public Task<bool> RedeliverAsync(string webhook, long id, DateTimeOffset now, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await Webhooks.RedeliverAsync(connection, webhook, id, now, cancellationToken);
    });

    public Task<long> InsertDeliveryAsync(string webhook, string eventId, string eventType, WebhookDraft draft, DateTimeOffset now, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await Webhooks.InsertAsync(connection, webhook, eventId, eventType, draft, now, cancellationToken);
    });
}
