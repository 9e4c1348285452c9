namespace TokenProxy.Vault.Keychains;

/// <summary>The operating system's keychain cannot be used (missing tool, no session, locked). The message says what to do, never the secret.</summary>
internal sealed class KeychainUnavailableException : Exception
{
    public KeychainUnavailableException(string message)
        : base(message)
    {
    }

    public KeychainUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
