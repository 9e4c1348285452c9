namespace TokenProxy.OAuth;

/// <summary>
/// Why there is no token, or no refresh, or no revocation: the one vocabulary of expected failures, from the token
/// endpoint to the problem body (docs/architecture.md §2). Each kind has one wire name: the <c>TokenProxy-Error</c> an
/// app sees and the <c>tokenproxy.failure</c> attribute.
/// </summary>
internal enum FailureKind
{
    /// <summary>
    /// The provider refused the grant or the client (RFC 6749 §5.2 <c>invalid_grant</c>, <c>invalid_client</c>,
    /// <c>unauthorized_client</c>, or a 4xx/200 error body), or the stored secret cannot be opened: retrying will not
    /// help; the person must reconnect. The connection is in <c>error</c>.
    /// </summary>
    Rejected,

    /// <summary>
    /// 5xx, 408, 429, timeouts, connection failures, redirects, unreadable answers, an open circuit: try again later. The
    /// tokens and the connection's status are kept (a provider outage never disables a connection).
    /// </summary>
    Transient,

    /// <summary>No connection with that label or id for the provider (or it never finished connecting), or it was deleted.</summary>
    NotConnected,

    /// <summary>A person revoked the connection.</summary>
    Revoked,

    /// <summary>The connection holds no refresh token (or its provider cannot connect): only reconnecting gives new tokens.</summary>
    NotRefreshable,

    /// <summary>The provider has no revocation endpoint (RFC 7009): the tokens were deleted here only.</summary>
    NotSupported,

    /// <summary>
    /// The connection holds a kind of credential its provider's <c>Auth</c> no longer lists (the configuration changed):
    /// the connection is kept, and nothing is sent with it.
    /// </summary>
    KindNotOffered,

    /// <summary>
    /// The provider refused every configured client secret (<c>invalid_client</c>): the provider is misconfigured, not the
    /// connection. Connections stay <c>active</c> and work again once the secret is fixed; until then nothing that needs the
    /// token endpoint can succeed (docs/architecture.md §5).
    /// </summary>
    Misconfigured,

    /// <summary>
    /// The connection is sealed with a vault key this instance does not hold (instances sharing a store were given
    /// different keys): the instance is misconfigured, not the connection, which is left as it is for the instances that
    /// hold the key (docs/architecture.md §3).
    /// </summary>
    KeyMissing,
}

internal static class FailureKindNames
{
    /// <summary>The problem code an app sees (<c>TokenProxy-Error</c>) and the metric and span attribute value.</summary>
    public static string ToWire(this FailureKind kind) => kind switch
    {
        FailureKind.Rejected => "reconnect_required",
        FailureKind.Transient => "refresh_unavailable",
        FailureKind.NotConnected => "not_connected",
        FailureKind.Revoked => "revoked",
        FailureKind.NotRefreshable => "not_refreshable",
        FailureKind.NotSupported => "not_supported",
        FailureKind.KindNotOffered => "kind_not_offered",
        FailureKind.Misconfigured => "provider_misconfigured",
        FailureKind.KeyMissing => "vault_key_missing",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
