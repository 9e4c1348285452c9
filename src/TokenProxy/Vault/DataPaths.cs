using Microsoft.Extensions.Options;

namespace TokenProxy.Vault;

/// <summary>Resolves where the proxy keeps its files when configuration does not say.</summary>
internal sealed class DataPaths(IOptions<DataDirectoryOptions> data, IOptions<VaultOptions> vault)
{
    /// <summary>The data directory: configured, or <c>tokenproxy</c> in the user's local data folder.</summary>
    public string DataDirectory { get; } = data.Value.DataDirectory
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "tokenproxy");

    /// <summary>The vault key file: configured, or <c>tokenproxy/vault.key</c> in the user's config folder.</summary>
    public string KeyFile { get; } = vault.Value.KeyFile
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "tokenproxy", "vault.key");
}
