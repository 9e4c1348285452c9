using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// What the hot path needs about one connection, decrypted once per row version: the ready-made
/// header value (so a request allocates nothing to build it), status, expiry. Never the refresh token.
/// </summary>
internal sealed record CachedCredential(
    string ConnectionId,
    string Provider,
    string Label,
    string? Workspace,
    long Version,
    ConnectionStatus Status,
    string? HeaderValue,
    DateTimeOffset? ExpiresAt,
    bool CanRefresh,
    bool Undecryptable);
