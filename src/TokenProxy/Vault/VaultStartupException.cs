namespace TokenProxy.Vault;

/// <summary>The vault cannot start safely (key missing or wrong, store locked). The message says what to do.</summary>
internal sealed class VaultStartupException : Exception
{
    public VaultStartupException(string message)
        : base(message)
    {
    }

    public VaultStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
