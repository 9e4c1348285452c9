using System.Diagnostics;
using TokenProxy.Vault;
using Attributes = TokenProxy.Telemetry.Telemetry.Attributes;

namespace TokenProxy.Webhooks;

/// <summary>
/// What deliveries tell an operator: a <c>tokenproxy.webhook.delivery</c> span per attempt (event id and type, webhook,
/// attempt, HTTP status, outcome), a Warning for a delivery given up, an Information line for a retry.
/// </summary>
internal sealed class WebhookInstrumentation(ILogger<WebhookDispatcher> logger)
{
    public const string DeliverySpan = "tokenproxy.webhook.delivery";

    public ILogger Logger => logger;

    public static Activity? StartDelivery(WebhookDelivery delivery)
    {
        var activity = Telemetry.Telemetry.Source.StartActivity(DeliverySpan, ActivityKind.Producer);
        activity?.SetTag(Attributes.WebhookName, delivery.Webhook);
        activity?.SetTag(Attributes.EventId, delivery.EventId);
        activity?.SetTag(Attributes.EventType, delivery.EventType);
        activity?.SetTag(Attributes.WebhookAttempt, delivery.Attempts + 1);
        return activity;
    }

    public void Attempted(Activity? activity, WebhookDelivery delivery, WebhookAttempt attempt)
    {
        if (activity is not null)
        {
            activity.SetTag(Attributes.WebhookStatus, attempt.Status == WebhookDelivery.Pending ? "retrying" : attempt.Status);
            if (attempt.LastStatus is { } status)
            {
                activity.SetTag(Attributes.HttpStatusCode, status);
            }

            if (attempt.Status != WebhookDelivery.Delivered)
            {
                activity.SetStatus(ActivityStatusCode.Error, attempt.LastError ?? $"HTTP {attempt.LastStatus}");
            }
        }

        if (attempt.Status == WebhookDelivery.Failed)
        {
            Log.DeliveryFailed(logger, delivery.Webhook, delivery.EventId, delivery.EventType, attempt.Attempts, attempt.LastStatus, attempt.LastError);
        }
        else if (attempt.Status == WebhookDelivery.Pending)
        {
            Log.DeliveryRetrying(logger, delivery.Webhook, delivery.EventId, delivery.EventType, attempt.Attempts, attempt.LastStatus, attempt.LastError, attempt.NextAttemptAt);
        }
    }
}
