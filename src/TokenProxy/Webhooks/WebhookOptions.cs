namespace TokenProxy.Webhooks;

/// <summary>One webhook of <c>TokenProxy:Webhooks:{name}</c> (docs/architecture.md §12).</summary>
internal sealed class WebhookOptions
{
    /// <summary>Where events are posted: https, or http to a loopback address (a private one only with <see cref="WebhooksOptions.AllowPrivateNetworks"/>).</summary>
    /// <value>Required.</value>
    public string? Url { get; set; }

    /// <summary>The HMAC-SHA256 key of <c>TokenProxy-Signature</c> (its UTF-8 bytes); sealed with the vault key when stored.</summary>
    /// <value>Required; at least 16 characters.</value>
    public string? Secret { get; set; }

    /// <summary>The event types to deliver, each one of the event log's types.</summary>
    /// <value>Required; at least one.</value>
    public string[]? Events { get; set; }

    /// <summary>Only the events of this workspace; none: every event.</summary>
    /// <value>Default: none.</value>
    public string? Workspace { get; set; }
}
