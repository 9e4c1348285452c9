namespace TokenProxy.Vault;

/// <summary>
/// An authorization that was started and not yet finished: what the callback must check and needs.
/// Stored under the SHA-256 of its <c>state</c>, consumed exactly once. The PKCE verifier is sealed like
/// a token; the browser is identified by the hash of a cookie value set at connect time. A flow that waits for the
/// person to pick a discovered value (an Atlassian site) is stored again under a new single-use key, with the tokens of
/// the code exchange sealed in <see cref="Pick"/>.
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
    DateTimeOffset ExpiresAt)
{
    /// <summary>The parameter values this flow connects with (given at connect, or the connection's own); never secret.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = StoredRows.NoParameters;

    /// <summary>Set while the flow waits for a pick: the sealed tokens and the offered values (see <c>Tokens/ParameterPick</c>).</summary>
    public string? Pick { get; init; }

    /// <summary>The connect request this flow answers, when it was started from a link (docs/architecture.md §9).</summary>
    public string? ConnectRequestId { get; init; }
}
