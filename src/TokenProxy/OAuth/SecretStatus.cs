namespace TokenProxy.OAuth;

/// <summary>A provider's client secrets as one instance knows them: the position in use (0 = newest) of how many, and whether all were refused.</summary>
internal readonly record struct SecretStatus(int Current, int Count, bool Misconfigured)
{
    /// <summary>The notice to show, or null: set while an older secret is in use.</summary>
    public string? Notice => Current > 0 && !Misconfigured ? ClientSecretRotation.OlderSecretNotice : null;
}
