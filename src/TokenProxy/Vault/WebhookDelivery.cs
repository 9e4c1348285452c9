namespace TokenProxy.Vault;

/// <summary>
/// One event to deliver to one webhook, and how its delivery stands (docs/architecture.md §12). <see cref="Payload"/> is the
/// JSON body, built when the event was fanned out, so pruning the event log never loses a pending delivery.
/// <see cref="OrderingKey"/> is the connection id (or the event id when the event has none): of a webhook's pending
/// deliveries with one key, only the oldest is ever claimed, so a connection's events arrive in order.
/// </summary>
internal sealed record WebhookDelivery(
    long Id,
    string Webhook,
    string EventId,
    string EventType,
    string OrderingKey,
    string Payload,
    string Status,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    int? LastStatus,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>What one attempt did to a claimed delivery: its new status, attempts, next attempt, and the answer's status or the error.</summary>
internal sealed record WebhookAttempt(long Id, string Status, int Attempts, DateTimeOffset NextAttemptAt, int? LastStatus, string? LastError, DateTimeOffset At);

/// <summary>A delivery the fan-out makes of an event: its ordering key and body.</summary>
internal sealed record WebhookDraft(string OrderingKey, string Payload);
