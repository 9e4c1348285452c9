namespace TokenProxy.Tokens;

/// <summary>Why no usable token could be given for a request. Expected outcomes, not exceptions.</summary>
internal enum TokenFailure
{
    None,

    /// <summary>No connection with that label or id for the provider (or it never finished connecting).</summary>
    NotConnected,

    /// <summary>The provider rejected the token or the refresh, or the stored secret cannot be opened.</summary>
    ReconnectRequired,

    /// <summary>A person revoked the connection.</summary>
    Revoked,

    /// <summary>The token is expired and the token endpoint cannot be reached right now.</summary>
    RefreshUnavailable,

    /// <summary>The client's key is limited to another workspace than the connection's.</summary>
    WorkspaceForbidden,
}

/// <summary>The result of asking for a connection's token: the credential, or why there is none.</summary>
internal readonly record struct TokenLookup(CachedCredential? Credential, TokenFailure Failure, TimeSpan? RetryAfter = null)
{
    public bool Succeeded => Failure == TokenFailure.None;

    public static TokenLookup Success(CachedCredential credential) => new(credential, TokenFailure.None);

    public static TokenLookup Fail(TokenFailure failure, CachedCredential? credential = null, TimeSpan? retryAfter = null) =>
        new(credential, failure, retryAfter);
}

internal static class TokenFailureNames
{
    /// <summary>The problem code an app sees (<c>TokenProxy-Error</c>) and the metric/span attribute value.</summary>
    public static string ToWire(this TokenFailure failure) => failure switch
    {
        TokenFailure.None => "none",
        TokenFailure.NotConnected => "not_connected",
        TokenFailure.ReconnectRequired => "reconnect_required",
        TokenFailure.Revoked => "revoked",
        TokenFailure.RefreshUnavailable => "refresh_unavailable",
        TokenFailure.WorkspaceForbidden => "client_forbidden",
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };
}
