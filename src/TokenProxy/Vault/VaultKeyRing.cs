namespace TokenProxy.Vault;

/// <summary>
/// The keys the vault can open, the first one sealing new secrets. Older keys stay until no row uses
/// them (key rotation). Filled once at startup by <see cref="VaultInitializer"/>.
/// </summary>
internal sealed class VaultKeyRing
{
    private volatile IReadOnlyList<VaultKey> _keys = [];

    /// <summary>Where the keys came from, for messages: "TOKENPROXY_VAULT_KEY", the key file path or the keychain entry.</summary>
    public string Source { get; private set; } = "(not loaded)";

    /// <summary>Where a rotation writes the new key list; null when the keys come from <c>TOKENPROXY_VAULT_KEY</c>.</summary>
    public IVaultKeyStorage? Storage { get; private set; }

    public bool IsLoaded => _keys.Count > 0;

    public VaultKey Active => _keys.Count > 0 ? _keys[0] : throw new InvalidOperationException("The vault key is not loaded yet.");

    public IReadOnlyList<VaultKey> Keys => _keys;

    public VaultKey? Find(string id)
    {
        foreach (var key in _keys)
        {
            if (key.Id == id)
            {
                return key;
            }
        }

        return null;
    }

    public void Load(IReadOnlyList<VaultKey> keys, string source, IVaultKeyStorage? storage = null)
    {
        Source = source;
        Storage = storage;
        _keys = keys;
    }
}
