using TokenProxy.Providers;
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
    bool Undecryptable)
{
    /// <summary>
    /// The token is sealed with a vault key this instance was not given (not altered): nothing is served with it, and the
    /// connection is not marked, since instances that hold the key still can (<see cref="OAuth.FailureKind.KeyMissing"/>).
    /// </summary>
    public bool KeyMissing { get; init; }

    /// <summary>The id of the connection's end user, if it has one: with <see cref="Workspace"/>, the scope it was found in.</summary>
    public string? EndUser { get; init; }

    /// <summary>When the token is due for refresh: its expiry less the skew, bounded by its lifetime (<see cref="RefreshSchedule"/>).</summary>
    public DateTimeOffset? RefreshAt { get; init; }

    /// <summary>The access token as sealed in the row: tells it apart from a token a later write stored (not a secret).</summary>
    public string? SealedToken { get; init; }

    /// <summary>
    /// Where this connection's requests go: the provider's API base, resolved with the connection's parameters once per
    /// row version (so a request resolves nothing); null when they do not resolve to an allowed address.
    /// </summary>
    public Uri? ApiBase { get; init; }

    /// <summary>Why <see cref="ApiBase"/> is null: the parameter and its problem, never its value.</summary>
    public string? ApiBaseProblem { get; init; }

    /// <summary>The provider's static headers with this connection's parameters in them, resolved once per row version.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>A 401-driven refresh produced the token and the API has not accepted it yet (the row says so).</summary>
    public bool AwaitingAcceptance { get; init; }

    /// <summary>False when the provider's <c>Auth</c> no longer lists <see cref="Kind"/>: nothing is sent with the connection.</summary>
    public bool KindOffered { get; init; } = true;

    /// <summary>What the connection holds; an API key or Basic credentials are never refreshed, and their 401 goes to the app.</summary>
    public CredentialKind Kind { get; init; }

    /// <summary>
    /// The header <see cref="HeaderValue"/> goes in, and that the app's own is removed from; the provider's token header
    /// when the credential travels in the query.
    /// </summary>
    public string HeaderName { get; init; } = "Authorization";

    /// <summary>
    /// The query parameter that carries the credential (an API key placed in the query), with <see cref="HeaderValue"/> as
    /// its value, already percent-encoded; null when the credential goes in <see cref="HeaderName"/>.
    /// </summary>
    public string? QueryName { get; init; }
}
