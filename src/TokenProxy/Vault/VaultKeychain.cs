using TokenProxy.Vault.Keychains;

namespace TokenProxy.Vault;

/// <summary>
/// The key list in the operating system's keychain (<c>TokenProxy:Vault:KeySource=keychain</c>): base64 keys,
/// comma-separated, the active one first, as in <c>TOKENPROXY_VAULT_KEY</c>. Nothing is written to disk by TokenProxy.
/// </summary>
internal sealed class VaultKeychain(IKeychain keychain) : IVaultKeyStorage
{
    public string Description => keychain.Description;

    /// <summary>The keys the keychain holds; null when it holds none for this store.</summary>
    public async Task<IReadOnlyList<VaultKey>?> LoadAsync(CancellationToken cancellationToken) =>
        await keychain.ReadAsync(cancellationToken) is { } text ? VaultInitializer.ParseKeys(Split(text), Description) : null;

    /// <summary>Writes the list, then reads it back: a keychain that stored something else must not be trusted with the only copy.</summary>
    public async Task SaveAsync(IReadOnlyList<VaultKey> keys, CancellationToken cancellationToken)
    {
        var text = string.Join(',', keys.Select(k => k.ToBase64()));
        await keychain.WriteAsync(text, cancellationToken);
        if (await keychain.ReadAsync(cancellationToken) is not { } stored || !Split(stored).SequenceEqual(Split(text), StringComparer.Ordinal))
        {
            throw new KeychainUnavailableException(
                $"The keychain cannot be used: {Description} did not give back the key list just written to it (key id {string.Join(", ", keys.Select(k => k.Id))}).");
        }
    }

    public Task<bool> DeleteAsync(CancellationToken cancellationToken) => keychain.DeleteAsync(cancellationToken);

    private static string[] Split(string text) => text.Split([',', ' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
}
