using TokenProxy.Events;

namespace TokenProxy.Vault;

/// <summary>
/// Webhooks and their durable outbox, in the connection store (docs/architecture.md §12), behind their own small
/// interface that both stores implement in a partial file of their own. Throws <see cref="StoreUnavailableException"/>
/// like <see cref="IConnectionStore"/>.
/// </summary>
internal interface IWebhookStore
{
    Task<IReadOnlyList<WebhookRow>> ListWebhooksAsync(CancellationToken cancellationToken);

    Task<WebhookRow?> GetWebhookAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the webhook, its cursor at the newest event, or updates its address, secret, events and workspace (keeping
    /// its cursor and deliveries); true when it was inserted.
    /// </summary>
    Task<bool> SaveWebhookAsync(WebhookRow webhook, CancellationToken cancellationToken);

    /// <summary>Replaces the sealed secret if it is still <paramref name="expected"/> (a key rotation's compare-and-swap).</summary>
    Task<bool> TryResealWebhookAsync(string name, string expected, string resealed, CancellationToken cancellationToken);

    /// <summary>Deletes the webhook and its deliveries; false when there was none.</summary>
    Task<bool> DeleteWebhookAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: reads up to <paramref name="limit"/> events after the webhook's cursor, inserts a pending delivery
    /// (due at <paramref name="now"/>) for each one <paramref name="draft"/> answers for, and moves the cursor past every
    /// event read. On PostgreSQL the webhook's row is locked for the transaction, so instances never fan out twice. The
    /// number of events read (fewer than <paramref name="limit"/>: the webhook is caught up).
    /// </summary>
    Task<int> FanOutAsync(string name, int limit, DateTimeOffset now, Func<StoredEvent, WebhookDraft?> draft, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> due pending deliveries for <paramref name="owner"/> until <paramref name="until"/>,
    /// in one statement: only the oldest pending delivery of each webhook and ordering key, none another owner holds, and
    /// no more of one webhook than make <paramref name="perWebhook"/> claimed at once with those held now; a claim whose
    /// owner died lapses at its time.
    /// </summary>
    Task<IReadOnlyList<WebhookDelivery>> ClaimDeliveriesAsync(
        string owner, DateTimeOffset now, DateTimeOffset until, int limit, int perWebhook, CancellationToken cancellationToken);

    /// <summary>
    /// At startup, frees claims no running process can hold: on SQLite (one process per file) every claim found is a dead
    /// process's, so its deliveries go out at once; on PostgreSQL other instances may be sending, so claims lapse at their time.
    /// </summary>
    Task ReleaseOrphanedClaimsAsync(CancellationToken cancellationToken);

    /// <summary>Writes the attempts' outcomes in one transaction and releases their claims (only those <paramref name="owner"/> still holds).</summary>
    Task RecordAttemptsAsync(string owner, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken);

    /// <summary>The webhook's deliveries, newest first, those numbered below <paramref name="before"/> when given.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(string webhook, long? before, int limit, CancellationToken cancellationToken);

    /// <summary>Makes a delivery pending and due at <paramref name="now"/> again, its attempts counted from zero; false when the webhook has none of that id.</summary>
    Task<bool> RedeliverAsync(string webhook, long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Inserts a pending delivery that no event stands behind (a test event); its id.</summary>
    Task<long> InsertDeliveryAsync(string webhook, string eventId, string eventType, WebhookDraft draft, DateTimeOffset now, CancellationToken cancellationToken);
}
