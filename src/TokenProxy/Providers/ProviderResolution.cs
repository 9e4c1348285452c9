namespace TokenProxy.Providers;

/// <summary>The providers the configuration and the presets make, and every problem found on the way.</summary>
internal sealed record ProviderResolution(IReadOnlyDictionary<string, ProviderDefinition> Providers, IReadOnlyList<string> Problems);
