namespace TokenProxy.Providers;

/// <summary>What a provider entry declares, valid or not: so that a wrong declaration is reported once, not again at each use.</summary>
internal sealed record ProviderDeclarations(IReadOnlySet<string> Parameters, bool AllowedHosts);
