using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>Puts a token endpoint's answer into a connection row, sealed: the OAuth client never sees rows or keys.</summary>
internal static class TokenSetSealing
{
    /// <summary>
    /// The row with these tokens in it, sealed, and the connection active. The one place that applies a token
    /// response: on a code exchange and on every refresh.
    /// </summary>
    public static ConnectionRow ApplyTo(this TokenSet tokens, ConnectionRow row, SecretSealer sealer, DateTimeOffset receivedAt, string? reason) => row with
    {
        Status = ConnectionStatus.Active,
        // A connect over an imported connection of the same label makes it an OAuth2 one.
        CredentialKind = CredentialKind.OAuth2,
        AccessToken = sealer.Seal(row.Id, SecretSealer.AccessTokenField, tokens.AccessToken),
        // Rotation: a new refresh token replaces the old one in the same write; none returned keeps the old one
        // (Google returns one only on consent; many providers never rotate).
        RefreshToken = tokens.RefreshToken is { } rotated ? sealer.Seal(row.Id, SecretSealer.RefreshTokenField, rotated) : row.RefreshToken,
        // Expiry from local receipt time, never from the provider's clock.
        ExpiresAt = tokens.ExpiresIn is { } lifetime ? receivedAt + lifetime : null,
        TokenType = tokens.TokenType ?? row.TokenType,
        Scopes = tokens.Scopes ?? row.Scopes,
        Metadata = tokens.Metadata.Count > 0 ? tokens.Metadata : row.Metadata,
        LastRefreshedAt = receivedAt,
        LastRefreshReason = reason,
        LastError = null,
        UpdatedAt = receivedAt,
    };
}
