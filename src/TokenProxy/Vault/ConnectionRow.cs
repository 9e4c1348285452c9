using System.Text.Json.Serialization;
using TokenProxy.Providers;

namespace TokenProxy.Vault;

/// <summary>
/// One connection as stored. <see cref="AccessToken"/> and <see cref="RefreshToken"/> hold sealed
/// ciphertext (see <see cref="SecretSealer"/>), never plaintext. Every write is compare-and-swap on
/// <see cref="Version"/>.
/// </summary>
internal sealed record ConnectionRow
{
    public required string Id { get; init; }

    public required string Provider { get; init; }

    public required string Label { get; init; }

    /// <summary>The workspace the connection belongs to (<see cref="WorkspaceRow"/>); null: none, as every connection made before workspaces.</summary>
    public string? Workspace { get; init; }

    /// <summary>The end user of the workspace it belongs to; null: the workspace's (or the operator's) own.</summary>
    public ConnectionEndUser? EndUser { get; init; }

    /// <summary>Who brought it in; the operator, unless a workspace's person answered a connect request.</summary>
    public ConnectionOrigin Origin { get; init; } = ConnectionOrigin.Operator;

    /// <summary>The scope the connection is found in: its workspace and end user.</summary>
    [JsonIgnore]
    public ConnectionScope Scope => new(Workspace, EndUser?.Id);

    public required ConnectionStatus Status { get; init; }

    public ConnectionAccount? Account { get; init; }

    public IReadOnlyList<string> Scopes { get; init; } = [];

    public string? TokenType { get; init; }

    /// <summary>What <see cref="AccessToken"/> holds and how it is sent: tokens (refreshable or not), an API key, Basic credentials.</summary>
    public CredentialKind CredentialKind { get; init; } = CredentialKind.OAuth2;

    /// <summary>
    /// Sealed access token, or null when the connection holds none. For an API key or Basic credentials, that secret,
    /// sealed under its own field name (<see cref="SecretSealer.AccessFieldOf"/>).
    /// </summary>
    public string? AccessToken { get; init; }

    /// <summary>Sealed refresh token, or null when the connection holds none.</summary>
    public string? RefreshToken { get; init; }

    /// <summary>When the access token expires, computed from local receipt time; null when the provider gave no lifetime.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? LastRefreshedAt { get; init; }

    /// <summary>
    /// When the refresh token stops working, from the token answer's <c>refresh_token_expires_in</c> or the provider's
    /// refresh-token lifetimes; null when unknown or there is no refresh token.
    /// </summary>
    public DateTimeOffset? RefreshTokenExpiresAt { get; init; }

    /// <summary>
    /// Why the current token was obtained (<c>upstream_401</c>, <c>expiring</c>, …; null after a connect or import), and
    /// <c>upstream_401_accepted</c> once the API accepted a token a 401-driven refresh produced. Stored so that every
    /// instance can tell such a token before it was ever accepted (its 401 is not refreshed again, no loop) from one the
    /// API accepted (its 401 is news: refresh).
    /// </summary>
    public string? LastRefreshReason { get; init; }

    public ConnectionError? LastError { get; init; }

    /// <summary>
    /// A refresh sent and not yet answered (docs/architecture.md §5): written before the refresh token leaves, cleared by the
    /// write that records the answer. Still set when no refresh is running means the process died meanwhile, and a rotating
    /// provider may hold a newer refresh token than this row. Not exported: it means nothing in another store.
    /// </summary>
    [JsonIgnore]
    public RefreshAttempt? RefreshAttempt { get; init; }

    /// <summary>Non-secret token response fields the provider config asks to keep (Slack <c>team.id</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The values of the provider's URL placeholders for this connection (<c>subdomain</c>, <c>instance_url</c>); never
    /// secret. Empty for a provider without placeholders and for rows stored before parameters existed.
    /// </summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Scopes the provider's API said an operation needs and the token lacks (RFC 6750 §3.1 <c>insufficient_scope</c>, or
    /// the provider's <c>ScopeHeaders</c>); empty when none. A reconnect that is granted them all clears it.
    /// </summary>
    public IReadOnlyList<string> RequiredScopes { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public long Version { get; init; }

    /// <summary>
    /// True when a new access token can be had without a person: with the refresh token, or by running the client
    /// credentials grant again (which has none). Derived, so not part of an export.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Renewable => RefreshToken is not null || CredentialKind == CredentialKind.ClientCredentials;
}

/// <summary>The external account behind a connection, as the provider's identity endpoint named it.</summary>
internal sealed record ConnectionAccount(string? Id, string? Email, string? Name);

/// <summary>A refresh request in flight: its id and when it was written, just before the refresh token was sent.</summary>
internal sealed record RefreshAttempt(string Id, DateTimeOffset At);

/// <summary>The last failure on a connection: an OAuth error code (or our own), its description, and when.</summary>
internal sealed record ConnectionError(string Code, string? Description, DateTimeOffset At);
