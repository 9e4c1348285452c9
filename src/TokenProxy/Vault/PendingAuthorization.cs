namespace TokenProxy.Vault;

/// <summary>
/// An authorization that was started and not yet finished: what the callback must check and needs.
/// Stored under the SHA-256 of its <c>state</c>, consumed exactly once. The PKCE verifier is sealed like
/// a token; the browser is identified by the hash of a cookie value set at connect time.
/// </summary>
internal sealed record PendingAuthorization(
    string StateHash,
    string Provider,
    string ConnectionId,
    string Label,
    IReadOnlyList<string> Scopes,
    string RedirectUri,
    string? Issuer,
    bool IssParameterSupported,
    string BrowserHash,
    string? CodeVerifier,
    bool CreatedConnection,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
