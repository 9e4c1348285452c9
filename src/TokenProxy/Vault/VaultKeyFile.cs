namespace TokenProxy.Vault;

/// <summary>The key file (0600, one base64 key per line), replaced atomically.</summary>
internal sealed class VaultKeyFile(string path) : IVaultKeyStorage
{
    public string Description => path;

    public Task SaveAsync(IReadOnlyList<VaultKey> keys, CancellationToken cancellationToken)
    {
        VaultInitializer.ReplaceKeyFile(path, [.. keys]);
        return Task.CompletedTask;
    }
}
