using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>A webhook as the admin API shows it: never its secret (write-only), only that one is set.</summary>
internal sealed record WebhookView(
    string Name, string Url, IReadOnlyList<string> Events, string? Workspace, string Origin, bool SecretSet, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WebhookView From(WebhookRow row) =>
        new(row.Name, row.Url, row.Events, row.Workspace, row.Origin, true, row.CreatedAt, row.UpdatedAt);
}

/// <summary>One delivery as the admin API shows it: the event it carries and how its attempts went, never its body.</summary>
internal sealed record WebhookDeliveryView(
    long Id, string EventId, string EventType, string Status, int Attempts, int? LastStatus, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? NextAttemptAt)
{
    public static WebhookDeliveryView From(WebhookDelivery d) =>
        new(d.Id, d.EventId, d.EventType, d.Status, d.Attempts, d.LastStatus, d.LastError, d.CreatedAt, d.UpdatedAt,
            d.Status == WebhookDelivery.Pending ? d.NextAttemptAt : null);
}

/// <summary>The body of <c>PUT /admin/api/webhooks/{name}</c>; <see cref="Secret"/> may be left out of an update to keep it.</summary>
internal sealed record PutWebhookRequest(string? Url, string? Secret, string[]? Events, string? Workspace);
