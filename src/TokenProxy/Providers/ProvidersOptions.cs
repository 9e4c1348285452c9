namespace TokenProxy.Providers;

/// <summary><c>TokenProxy:Providers</c>, at the top of the <c>TokenProxy</c> section: the configured providers.</summary>
internal sealed class ProvidersOptions
{
    public const string SectionName = "TokenProxy";

    /// <summary>Configured providers by name (the first path segment of proxied requests), merged over the presets.</summary>
    /// <value>Default: none; the presets in <c>config/providers/*.json</c> are known without an entry.</value>
    public Dictionary<string, ProviderOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Sets each provider's <see cref="ProviderOptions.Auth"/> written as one value (<c>"Auth": "ApiKey"</c>), which the
    /// configuration binder leaves unset: it binds a list only from <c>Auth:0</c>, <c>Auth:1</c> ….
    /// </summary>
    public void BindOneValueLists(IConfigurationSection section)
    {
        foreach (var (name, provider) in Providers)
        {
            if (section.GetSection($"Providers:{name}:{nameof(ProviderOptions.Auth)}").Value is { Length: > 0 } one)
            {
                provider.Auth = [one];
            }
        }
    }

    /// <summary>
    /// Keeps a parameter declared with an empty section (<c>"Parameters": {"p": {}}</c>), which the binder drops: the
    /// problem to report is that it names no source, not that the placeholder is undeclared.
    /// </summary>
    public void KeepEmptyParameters(IConfigurationSection section)
    {
        foreach (var (name, provider) in Providers)
        {
            foreach (var parameter in section.GetSection($"Providers:{name}:{nameof(ProviderOptions.Parameters)}").GetChildren())
            {
                if (provider.Parameters?.ContainsKey(parameter.Key) != true && parameter.Value is null && !parameter.GetChildren().Any())
                {
                    (provider.Parameters ??= new(StringComparer.Ordinal))[parameter.Key] = new ParameterOptions();
                }
            }
        }
    }
}
