namespace TokenProxy.Vault;

/// <summary><c>TokenProxy:Vault</c>: where the vault key comes from when <c>TOKENPROXY_VAULT_KEY</c> is not set.</summary>
internal sealed class VaultOptions
{
    public const string SectionName = "TokenProxy:Vault";

    public const string FileSource = "file";
    public const string KeychainSource = "keychain";

    /// <summary>
    /// Where the vault key list is kept: a key file, or the operating system's keychain (docs/architecture.md, §4).
    /// <c>TOKENPROXY_VAULT_KEY</c>, when set, wins over both. Case-insensitive.
    /// </summary>
    /// <value><c>file</c> (default) or <c>keychain</c>.</value>
    public string KeySource { get; set; } = FileSource;

    /// <summary>File holding the vault key(s), one base64 32-byte key per line, the first one active.</summary>
    /// <value>Default: <c>~/.config/tokenproxy/vault.key</c> — the user's config directory, never next to the database.</value>
    public string? KeyFile { get; set; }

    /// <summary>
    /// With <c>KeySource</c> <c>keychain</c>: the name of this store's entry in the keychain, so that two stores on one
    /// machine never share a key. Set it to the former name after moving a SQLite database to another path.
    /// </summary>
    /// <value>Default: the store's own name — <c>sqlite:</c> and the database file's full path, or
    /// <c>postgresql://host:port/database</c>.</value>
    public string? KeychainName { get; set; }

    public bool UsesKeychain => string.Equals(KeySource, KeychainSource, StringComparison.OrdinalIgnoreCase);

    public bool UsesFile => string.Equals(KeySource, FileSource, StringComparison.OrdinalIgnoreCase);
}
