using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>What a refresh did.</summary>
internal enum RefreshStatus
{
    /// <summary>New tokens are committed.</summary>
    Refreshed,

    /// <summary>Someone else refreshed first (re-read after the lock); nothing was sent.</summary>
    AlreadyFresh,

    /// <summary>The provider rejected the refresh token or client; the connection is now <c>error</c>.</summary>
    Rejected,

    /// <summary>The token endpoint is unreachable or failing; tokens and status kept.</summary>
    Transient,

    /// <summary>The connection has no refresh token.</summary>
    NotRefreshable,

    /// <summary>The connection was deleted or revoked meanwhile; any new token was discarded.</summary>
    Gone,
}

/// <summary>A refresh's result, with the connection row as it now stands in the store (when there is one).</summary>
internal sealed record RefreshOutcome(RefreshStatus Status, ConnectionRow? Row, string? Error = null, string? Description = null, TimeSpan? RetryAfter = null, int Attempts = 0)
{
    /// <summary>The <c>tokenproxy.refresh.outcome</c> attribute: success, already_fresh, the OAuth error code, transient, …</summary>
    public string OutcomeName => Status switch
    {
        RefreshStatus.Refreshed => "success",
        RefreshStatus.AlreadyFresh => "already_fresh",
        RefreshStatus.Rejected => Error ?? "rejected",
        RefreshStatus.Transient => "transient",
        RefreshStatus.NotRefreshable => "not_refreshable",
        RefreshStatus.Gone => "gone",
        _ => "unknown",
    };
}
