namespace TokenProxy.Webhooks;

/// <summary>
/// <c>TokenProxy:Webhooks</c>: the webhooks named in configuration (each key but <see cref="AllowPrivateNetworks"/> is one,
/// read by <see cref="BindEntries"/>) and where they may point (docs/architecture.md §12).
/// </summary>
[NamedEntries(typeof(WebhookOptions))]
internal sealed class WebhooksOptions
{
    public const string SectionName = "TokenProxy:Webhooks";

    /// <summary>
    /// Lets a webhook reach private, link-local and other reserved addresses (10.0.0.0/8, 169.254.0.0/16, fc00::/7 …), and
    /// plain http to them. Loopback is always allowed.
    /// </summary>
    /// <value>Default: false.</value>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The webhooks by name; not bound by the configuration binder, read by <see cref="BindEntries"/>.</summary>
    public Dictionary<string, WebhookOptions> Hooks { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads every key of the section but the settings as a webhook.</summary>
    public void BindEntries(IConfigurationSection section)
    {
        foreach (var child in section.GetChildren())
        {
            if (!child.Key.Equals(nameof(AllowPrivateNetworks), StringComparison.OrdinalIgnoreCase) && child.Value is null)
            {
                Hooks[child.Key] = child.Get<WebhookOptions>() ?? new WebhookOptions();
            }
        }
    }
}
