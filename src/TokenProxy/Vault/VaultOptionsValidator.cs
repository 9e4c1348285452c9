using Microsoft.Extensions.Options;

namespace TokenProxy.Vault;

/// <summary>The <c>TokenProxy:Vault</c> checks: a known key source.</summary>
internal sealed class VaultOptionsValidator : IValidateOptions<VaultOptions>
{
    public ValidateOptionsResult Validate(string? name, VaultOptions options) =>
        options.UsesFile || options.UsesKeychain
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{VaultOptions.SectionName}:KeySource: '{options.KeySource}' is not a key source; use {VaultOptions.FileSource} " +
                $"(the key file, TokenProxy:Vault:KeyFile) or {VaultOptions.KeychainSource} (the operating system's keychain).");
}
