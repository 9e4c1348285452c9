using Microsoft.Extensions.Options;

namespace TokenProxy.Portal;

/// <summary>The <c>TokenProxy:Portal</c> checks.</summary>
internal sealed class PortalOptionsValidator : IValidateOptions<PortalOptions>
{
    public ValidateOptionsResult Validate(string? name, PortalOptions options) =>
        options.PermitsPerMinute is < 1 or > PortalOptions.MaxPermitsPerMinute
            ? ValidateOptionsResult.Fail($"{PortalOptions.SectionName}:PermitsPerMinute: must be from 1 to {PortalOptions.MaxPermitsPerMinute} (it is {options.PermitsPerMinute}).")
            : ValidateOptionsResult.Success;
}
