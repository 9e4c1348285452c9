using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace TokenProxy.Providers;

/// <summary>
/// Merges the configured providers over the presets once per options instance: the validator reports every problem at
/// startup, and <see cref="ProviderCatalog"/> serves the providers this same resolution produced.
/// </summary>
internal sealed class ProvidersOptionsValidator(PresetLibrary presets) : IValidateOptions<ProvidersOptions>
{
    private readonly ConditionalWeakTable<ProvidersOptions, ProviderResolution> _resolved = [];

    /// <summary>The shipped presets every resolution merges over.</summary>
    public PresetLibrary Presets => presets;

    public ValidateOptionsResult Validate(string? name, ProvidersOptions options) =>
        Resolve(options).Problems is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    /// <summary>The providers and problems of <paramref name="options"/>, resolved on the first call for that instance.</summary>
    public ProviderResolution Resolve(ProvidersOptions options) =>
        _resolved.GetValue(options, configured => ProviderCatalog.Resolve(configured.Providers, presets));
}
