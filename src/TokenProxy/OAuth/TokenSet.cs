using TokenProxy.Vault;

namespace TokenProxy.OAuth;

/// <summary>A successful token endpoint answer (RFC 6749 §5.1), validated and ready to seal.</summary>
internal sealed record TokenSet(
    string AccessToken,
    string? RefreshToken,
    TimeSpan? ExpiresIn,
    string? TokenType,
    IReadOnlyList<string>? Scopes,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>
    /// The row with these tokens in it, sealed, and the connection active. The one place that applies a token
    /// response: on a code exchange and on every refresh.
    /// </summary>
    public ConnectionRow ApplyTo(ConnectionRow row, SecretSealer sealer, DateTimeOffset receivedAt, string? reason) => row with
    {
        Status = ConnectionStatus.Active,
        AccessToken = sealer.Seal(row.Id, SecretSealer.AccessTokenField, AccessToken),
        // Rotation: a new refresh token replaces the old one in the same write; none returned keeps the old one
        // (Google returns one only on consent; many providers never rotate).
        RefreshToken = RefreshToken is { } rotated ? sealer.Seal(row.Id, SecretSealer.RefreshTokenField, rotated) : row.RefreshToken,
        // Expiry from local receipt time, never from the provider's clock.
        ExpiresAt = ExpiresIn is { } lifetime ? receivedAt + lifetime : null,
        TokenType = TokenType ?? row.TokenType,
        Scopes = Scopes ?? row.Scopes,
        Metadata = Metadata.Count > 0 ? Metadata : row.Metadata,
        LastRefreshedAt = receivedAt,
        LastRefreshReason = reason,
        LastError = null,
        UpdatedAt = receivedAt,
    };
}
