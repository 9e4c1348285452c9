using Microsoft.Extensions.Options;
using TokenProxy.Providers;

namespace TokenProxy.Hosting;

/// <summary>
/// Checks the whole <c>TokenProxy</c> section at startup and reports every problem at once, so a
/// misconfigured proxy never starts half-working (YARP's ConfigValidator does the same).
/// </summary>
internal sealed class TokenProxyOptionsValidator(PresetLibrary presets) : IValidateOptions<TokenProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenProxyOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicBase) || (publicBase.Scheme != "http" && publicBase.Scheme != "https"))
        {
            errors.Add($"TokenProxy:PublicBaseUrl: '{options.PublicBaseUrl}' is not an absolute http(s) URL.");
        }

        if (options.Store.Kind != "Sqlite")
        {
            errors.Add($"TokenProxy:Store:Kind: '{options.Store.Kind}' is not supported; this version stores connections in SQLite only.");
        }

        if (options.Refresh.Skew < TimeSpan.Zero || options.Refresh.Skew > TimeSpan.FromHours(1))
        {
            errors.Add($"TokenProxy:Refresh:Skew: {options.Refresh.Skew} must be between 00:00:00 and 01:00:00.");
        }

        if (options.Refresh.MaxReplayBodyBytes is < 0 or > 64 * 1024 * 1024)
        {
            errors.Add($"TokenProxy:Refresh:MaxReplayBodyBytes: {options.Refresh.MaxReplayBodyBytes} must be between 0 and 67108864 (64 MiB).");
        }

        if (options.Admin.Token is { Length: > 0 and < 16 })
        {
            errors.Add("TokenProxy:Admin:Token: must be at least 16 characters.");
        }

        ProviderCatalog.Resolve(options.Providers, presets, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
