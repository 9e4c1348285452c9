namespace TokenProxy.OAuth;

/// <summary>A successful token endpoint answer (RFC 6749 §5.1), validated; Tokens seals it into a row.</summary>
internal sealed record TokenSet(
    string AccessToken,
    string? RefreshToken,
    TimeSpan? ExpiresIn,
    string? TokenType,
    IReadOnlyList<string>? Scopes,
    IReadOnlyDictionary<string, string> Metadata)
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    /// <summary>
    /// The values the answer gave for the provider's token-response placeholders (Salesforce <c>instance_url</c>), as
    /// sent: not yet checked against the provider's allowed hosts.
    /// </summary>
    public IReadOnlyDictionary<string, string> Placeholders { get; init; } = None;

    /// <summary>How long the refresh token lasts, when the answer says (<c>refresh_token_expires_in</c>: GitHub, Google time-limited grants).</summary>
    public TimeSpan? RefreshTokenExpiresIn { get; init; }
}
