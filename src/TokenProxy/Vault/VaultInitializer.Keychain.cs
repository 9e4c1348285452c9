namespace TokenProxy.Vault;

/// <summary>The vault key in the operating system's keychain (<c>TokenProxy:Vault:KeySource=keychain</c>).</summary>
internal sealed partial class VaultInitializer
{
    /// <summary>The keys from the keychain; on the first start of an empty SQLite store a new key, created there and read back.</summary>
    private async Task<(IReadOnlyList<VaultKey> Keys, string Source, IVaultKeyStorage? Storage)> LoadFromKeychainAsync(
        VaultKeychain keys, int sealedRows, CancellationToken cancellationToken)
    {
        if (await keys.LoadAsync(cancellationToken) is { } stored)
        {
            return (stored, keys.Description, keys);
        }

        if (sealedRows > 0)
        {
            throw new VaultStartupException(
                $"No vault key: {KeyVariable} is not set and {keys.Description} holds no key (or the keyring is locked, which looks the same), " +
                $"but {store.Description} holds {sealedRows} connection(s) with sealed secrets. Unlock the keyring; if the key is still in a key file, " +
                $"move it there (TokenProxy vault move-key --to keychain) or set TokenProxy:Vault:KeySource={VaultOptions.FileSource}; if the store was moved, " +
                "set TokenProxy:Vault:KeychainName to its former name. A new key would not open them, so none was generated and nothing was deleted.");
        }

        if (options.Value.IsPostgres)
        {
            throw new VaultStartupException(
                $"No vault key: {KeyVariable} is not set and {keys.Description} holds no key. Every instance sharing {store.Description} " +
                "must use the same key, so none is generated here: put the same key in each instance's keychain " +
                "(a key file with it, then TokenProxy vault move-key --to keychain), or give it to every instance in " +
                $"{KeyVariable} or a key file (TokenProxy:Vault:KeyFile, mode 0600).");
        }

        var key = VaultKey.Generate();
        await keys.SaveAsync([key], cancellationToken);
        Log.KeyCreatedInKeychain(logger, keys.Description, key.Id);
        return ([key], keys.Description, keys);
    }
}
