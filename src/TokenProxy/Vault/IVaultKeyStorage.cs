namespace TokenProxy.Vault;

/// <summary>
/// Where the vault key list is kept, and rewritten by a key rotation: the key file or the keychain. Keys from
/// <c>TOKENPROXY_VAULT_KEY</c> have none: the variable is the operator's to change.
/// </summary>
internal interface IVaultKeyStorage
{
    /// <summary>For messages: the key file's path, or the keychain and its entry. Never key material.</summary>
    string Description { get; }

    /// <summary>Replaces the key list, the active key first; once this returns, the keys can be read back from there.</summary>
    Task SaveAsync(IReadOnlyList<VaultKey> keys, CancellationToken cancellationToken);
}
