namespace TokenProxy.Admin;

/// <summary>What <see cref="ProvidersPage"/> shows: every preset and configured provider, by name.</summary>
internal sealed record ProvidersPageModel(IReadOnlyList<ProviderView> Providers);
