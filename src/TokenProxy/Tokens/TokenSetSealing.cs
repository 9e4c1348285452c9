using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>Puts a token endpoint's answer into a connection row, sealed: the OAuth client never sees rows or keys.</summary>
internal static class TokenSetSealing
{
    /// <summary>
    /// The row with these tokens in it, sealed, and the connection active. The one place that applies a token
    /// response: on a code exchange (<paramref name="reason"/> null) and on every refresh. <paramref name="provider"/> gives
    /// the refresh-token lifetimes its answers do not.
    /// </summary>
    public static ConnectionRow ApplyTo(this TokenSet tokens, ConnectionRow row, SecretSealer sealer, DateTimeOffset receivedAt, string? reason, ProviderDefinition? provider = null) => row with
    {
        RefreshTokenExpiresAt = RefreshTokenExpiry(tokens, row, provider, receivedAt, connect: reason is null),
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
        // The answer is committed with these tokens: no refresh is in flight any more (docs/architecture.md §5).
        RefreshAttempt = null,
    };

    /// <summary>
    /// When the refresh token stops working: the answer's <c>refresh_token_expires_in</c>; else, at a connect, the earlier of
    /// the provider's <c>RefreshTokenLifetime</c> and <c>RefreshTokenIdleLifetime</c>; at a refresh, the idle lifetime from
    /// now (using the token resets it), or what was known before. Null when there is no refresh token or nothing is known.
    /// </summary>
    private static DateTimeOffset? RefreshTokenExpiry(TokenSet tokens, ConnectionRow row, ProviderDefinition? provider, DateTimeOffset receivedAt, bool connect)
    {
        if (tokens.RefreshToken is null && row.RefreshToken is null)
        {
            return null;
        }

        if (tokens.RefreshTokenExpiresIn is { } given)
        {
            return receivedAt + given;
        }

        var idle = provider?.RefreshTokenIdleLifetime is { } i ? receivedAt + i : (DateTimeOffset?)null;
        if (connect)
        {
            var absolute = provider?.RefreshTokenLifetime is { } l ? receivedAt + l : (DateTimeOffset?)null;
            return absolute is { } a && idle is { } b ? (a < b ? a : b) : absolute ?? idle;
        }

        // Using the refresh token restarts its idle lifetime; RefreshTokenLifetime counts from the connect, so without an idle
        // lifetime a refresh keeps the date known before.
        return idle ?? row.RefreshTokenExpiresAt;
    }
}
