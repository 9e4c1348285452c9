namespace TokenProxy.Vault;

/// <summary><c>TokenProxy:Vault</c>: where the vault key comes from when <c>TOKENPROXY_VAULT_KEY</c> is not set.</summary>
internal sealed class VaultOptions
{
    public const string SectionName = "TokenProxy:Vault";

    /// <summary>File holding the vault key(s), one base64 32-byte key per line, the first one active.</summary>
    /// <value>Default: <c>~/.config/tokenproxy/vault.key</c> — the user's config directory, never next to the database.</value>
    public string? KeyFile { get; set; }
}
