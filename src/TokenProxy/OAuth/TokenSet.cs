namespace TokenProxy.OAuth;

/// <summary>A successful token endpoint answer (RFC 6749 §5.1), validated; Tokens seals it into a row.</summary>
internal sealed record TokenSet(
    string AccessToken,
    string? RefreshToken,
    TimeSpan? ExpiresIn,
    string? TokenType,
    IReadOnlyList<string>? Scopes,
    IReadOnlyDictionary<string, string> Metadata);
