using Microsoft.Extensions.Options;

namespace TokenProxy.Admin;

/// <summary>The <c>TokenProxy:Admin</c> checks; the token itself is never repeated.</summary>
internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options) =>
        options.Token is { Length: > 0 } token && token.Length < AdminOptions.MinTokenLength
            ? ValidateOptionsResult.Fail($"{AdminOptions.SectionName}:Token: must be at least {AdminOptions.MinTokenLength} characters.")
            : ValidateOptionsResult.Success;
}
