using TokenProxy.OAuth;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// One refresh as <see cref="TokenInstrumentation"/> records it: its result, how many times the token endpoint was
/// called, whether new tokens were stored (a success without is someone else's refresh, found under the lock), and how long
/// the refresh token was out unconfirmed: from recording the attempt to committing what came of it (docs/architecture.md §5).
/// </summary>
internal readonly record struct RefreshRun(TokenResult<ConnectionRow> Result, int Attempts = 0, bool Committed = false, TimeSpan? Unconfirmed = null)
{
    /// <summary>The <c>tokenproxy.refresh.outcome</c> attribute: success, already_fresh, the OAuth error code, transient, …</summary>
    public string OutcomeName => Result.Failure?.Kind switch
    {
        null => Committed ? "success" : "already_fresh",
        FailureKind.Rejected => Result.Failure.Error ?? "rejected",
        FailureKind.Transient => "transient",
        FailureKind.Misconfigured => "provider_misconfigured",
        FailureKind.KeyMissing => "vault_key_missing",
        FailureKind.NotRefreshable => "not_refreshable",
        FailureKind.NotConnected or FailureKind.Revoked => "gone",
        _ => "unknown",
    };
}
