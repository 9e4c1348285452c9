namespace TokenProxy.Webhooks;

/// <summary>A webhook's name resolved to an address it may not reach (<see cref="WebhookAddress.Allows"/>); never retried.</summary>
internal sealed class WebhookAddressRefusedException(string message) : Exception(message);
