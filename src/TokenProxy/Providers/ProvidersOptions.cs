namespace TokenProxy.Providers;

/// <summary><c>TokenProxy:Providers</c>, at the top of the <c>TokenProxy</c> section: the configured providers.</summary>
internal sealed class ProvidersOptions
{
    public const string SectionName = "TokenProxy";

    /// <summary>Configured providers by name (the first path segment of proxied requests), merged over the presets.</summary>
    /// <value>Default: none; the presets in <c>config/providers/*.json</c> are known without an entry.</value>
    public Dictionary<string, ProviderOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
