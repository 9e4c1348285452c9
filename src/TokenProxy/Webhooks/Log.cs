namespace TokenProxy.Webhooks;

/// <summary>Webhook messages: event ids 1600–1699. Webhook names, event ids and HTTP statuses only, never a secret or a body.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Warning, EventName = "WebhookDeliveryFailed",
        Message = "Webhook {Webhook}: event {EventId} ({EventType}) failed after {Attempts} attempt(s), status {Status}: {Error}")]
    public static partial void DeliveryFailed(ILogger logger, string webhook, string eventId, string eventType, int attempts, int? status, string? error);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, EventName = "WebhookDeliveryRetrying",
        Message = "Webhook {Webhook}: event {EventId} ({EventType}) attempt {Attempts} did not arrive (status {Status}: {Error}); next try at {NextAttemptAt:O}.")]
    public static partial void DeliveryRetrying(ILogger logger, string webhook, string eventId, string eventType, int attempts, int? status, string? error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Error, EventName = "WebhookPassFailed",
        Message = "A webhook pass failed; the next one runs in a moment.")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Information, EventName = "WebhooksConfigured",
        Message = "Webhooks from configuration: {Count} ({Names}).")]
    public static partial void Configured(ILogger logger, int count, IReadOnlyList<string> names);

    [LoggerMessage(EventId = 1605, Level = LogLevel.Warning, EventName = "WebhookWorkspaceMissing",
        Message = "Webhook {Webhook} takes only the events of workspace {Workspace}, which does not exist: it is sent nothing until that workspace is created.")]
    public static partial void WorkspaceMissing(ILogger logger, string webhook, string workspace);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Error, EventName = "WebhookSecretUnreadable",
        Message = "Webhook {Webhook}: its secret cannot be opened with the vault's keys; its deliveries wait. Save the webhook again with its secret.")]
    public static partial void SecretUnreadable(ILogger logger, string webhook);
}
