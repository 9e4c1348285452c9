using Microsoft.Extensions.Options;

namespace TokenProxy.OAuth;

/// <summary><c>TokenProxy:PublicBaseUrl</c> must be an absolute http(s) URL: redirect URIs are built from it.</summary>
internal sealed class PublicUrlOptionsValidator : IValidateOptions<PublicUrlOptions>
{
    public ValidateOptionsResult Validate(string? name, PublicUrlOptions options) =>
        Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicBase) && (publicBase.Scheme == "http" || publicBase.Scheme == "https")
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"TokenProxy:PublicBaseUrl: '{options.PublicBaseUrl}' is not an absolute http(s) URL.");
}
