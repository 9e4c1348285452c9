namespace TokenProxy.Admin;

/// <summary>What <see cref="WebhooksPage"/> shows: each webhook (never its secret) with its latest deliveries.</summary>
internal sealed record WebhooksPageModel(IReadOnlyList<(WebhookView Webhook, IReadOnlyList<WebhookDeliveryView> Deliveries)> Webhooks);
