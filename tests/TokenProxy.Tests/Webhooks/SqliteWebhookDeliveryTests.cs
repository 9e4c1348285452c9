namespace TokenProxy.Tests.Webhooks;

/// <summary>Webhook delivery on the embedded store.</summary>
public sealed class SqliteWebhookDeliveryTests : WebhookDeliveryTests
{
    private protected override void UseStore(Dictionary<string, string?> settings)
    {
    }
}
