namespace TokenProxy.Providers;

/// <summary>
/// One consistent set of providers and the entries they were made from: the configuration files' and the store's.
/// Never changed once made; <see cref="ProviderCatalog"/> replaces it whole.
/// </summary>
internal sealed record ProviderSnapshot(
    IReadOnlyDictionary<string, ProviderDefinition> Providers,
    IReadOnlyDictionary<string, ProviderOptions> File,
    IReadOnlyDictionary<string, ProviderOptions> Stored);
