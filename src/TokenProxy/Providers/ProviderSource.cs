namespace TokenProxy.Providers;

/// <summary>Where a provider's entry comes from; a stored entry overrides the files' entry of its name.</summary>
internal enum ProviderSource
{
    /// <summary>A shipped preset, named by no entry.</summary>
    Preset,

    /// <summary>An entry of the configuration files (<c>TokenProxy:Providers:{name}</c>).</summary>
    File,

    /// <summary>An entry written through the admin API, kept in the store.</summary>
    Stored,
}
