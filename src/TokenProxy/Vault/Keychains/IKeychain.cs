namespace TokenProxy.Vault.Keychains;

/// <summary>
/// One entry in the operating system's credential store, holding the vault key list as text (base64 keys,
/// comma-separated, the active key first). Implementations never put the secret on a command line, in an environment
/// variable or in a file: a command line and the environment of a process can be read by other users of the machine.
/// A keychain that cannot be used throws <see cref="KeychainUnavailableException"/>, saying what to install or start.
/// </summary>
internal interface IKeychain
{
    /// <summary>The keychain and the entry's name, for messages: never the secret.</summary>
    string Description { get; }

    /// <summary>The entry's secret; null when the keychain holds no entry of that name.</summary>
    Task<string?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Creates the entry, or replaces its secret.</summary>
    Task WriteAsync(string secret, CancellationToken cancellationToken);

    /// <summary>Removes the entry; false when there was none.</summary>
    Task<bool> DeleteAsync(CancellationToken cancellationToken);
}
