namespace TokenProxy.Tokens;

/// <summary>Token log messages: event ids 1100–1199. Connection ids only, never a token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, EventName = "Refreshed",
        Message = "Refresh of {ConnectionId} ({Reason}): {Outcome} after {Attempts} attempt(s) in {ElapsedMs:F0} ms.")]
    public static partial void Refreshed(ILogger logger, string connectionId, string reason, string outcome, int attempts, double elapsedMs);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, EventName = "RefreshDiscarded",
        Message = "Refresh of {ConnectionId} lost the compare-and-swap (revoked or refreshed elsewhere meanwhile); its result was discarded.")]
    public static partial void RefreshDiscarded(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, EventName = "BackgroundPassFailed",
        Message = "A background refresh pass failed; the next one runs on schedule.")]
    public static partial void BackgroundPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, EventName = "SkewLongerThanLifetime",
        Message = "The refresh skew ({Skew}) is more than half the lifetime ({Lifetime}) of {ConnectionId}'s tokens from {Provider}: they are refreshed {EffectiveSkew} before expiry instead, about once per lifetime. Lower Refresh:Skew or the provider's RefreshSkew to silence this.")]
    public static partial void SkewLongerThanLifetime(ILogger logger, string connectionId, string provider, TimeSpan skew, TimeSpan lifetime, TimeSpan effectiveSkew);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, EventName = "AcceptanceNotRecorded",
        Message = "The API accepted {ConnectionId}'s token after a 401-driven refresh, but the store could not record it; its next 401 may be passed on until Refresh:UnauthorizedBackoff has passed.")]
    public static partial void AcceptanceNotRecorded(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, EventName = "ResponseParametersRefused",
        Message = "Refresh of {ConnectionId} ({Provider}): the token response's parameters were not taken, the stored ones are kept: {Problem}.")]
    public static partial void ResponseParametersRefused(ILogger logger, string connectionId, string provider, string problem);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, EventName = "ConnectDestinationRefused",
        Message = "Connect of {ConnectionId} ({Provider}): the token response named an API address the provider does not allow, so nothing was stored: {Problem}.")]
    public static partial void ConnectDestinationRefused(ILogger logger, string connectionId, string provider, string problem);

    // 1150–1159: the credential cache.
    [LoggerMessage(EventId = 1150, Level = LogLevel.Information, EventName = "CacheReconciled",
        Message = "Checked {Held} cached credential(s) against {Store} after notifications resumed: {Evicted} changed or removed meanwhile and were dropped, the rest confirmed.")]
    public static partial void Reconciled(ILogger logger, int held, int evicted, string store);

    [LoggerMessage(EventId = 1151, Level = LogLevel.Warning, EventName = "CacheReconcileFailed",
        Message = "Could not check cached credentials against {Store}; they stay unconfirmed (bounded by Store:MaxStaleness).")]
    public static partial void ReconcileFailed(ILogger logger, string store, Exception exception);

    [LoggerMessage(EventId = 1158, Level = LogLevel.Warning, EventName = "KindNotOffered",
        Message = "{Provider} connection {ConnectionId} holds {Kind} credentials, which {Provider}'s Auth no longer offers: its requests are refused (kind_not_offered) until Auth offers {Kind} again or the connection is replaced.")]
    public static partial void KindNotOffered(ILogger logger, string provider, string connectionId, string kind);

    // 1160–1169: connecting (authorization code + PKCE).
    [LoggerMessage(EventId = 1160, Level = LogLevel.Information, EventName = "Connected",
        Message = "Connected {Provider} connection {ConnectionId}.")]
    public static partial void Connected(ILogger logger, string provider, string connectionId);

    [LoggerMessage(EventId = 1161, Level = LogLevel.Information, EventName = "AuthorizationFailed",
        Message = "Authorization for {Provider} failed at {Step} (connection {ConnectionId}): {Title}.")]
    public static partial void AuthorizationFailed(ILogger logger, string provider, string step, string? connectionId, string title);

    [LoggerMessage(EventId = 1162, Level = LogLevel.Warning, EventName = "CodeExchangeFailed",
        Message = "{Provider}'s token endpoint did not exchange the authorization code of connection {ConnectionId}: {Error} ({Kind}).")]
    public static partial void CodeExchangeFailed(ILogger logger, string provider, string connectionId, string? error, string kind);

    [LoggerMessage(EventId = 1180, Level = LogLevel.Warning, EventName = "RefreshInterrupted",
        Message = "{Provider} refused the refresh token of connection {ConnectionId} after an earlier refresh of it was interrupted before its answer was stored; the provider rotated it. The connection needs a reconnect.")]
    public static partial void RefreshInterrupted(ILogger logger, string connectionId, string provider);

    [LoggerMessage(EventId = 1183, Level = LogLevel.Warning, EventName = "VaultKeyMissing",
        Message = "Connection {ConnectionId} ({Provider}) is sealed with vault key {KeyId}, which this instance was not given; it is left as it is. Give every instance on the store the same vault keys.")]
    public static partial void VaultKeyMissing(ILogger logger, string provider, string connectionId, string? keyId);

    [LoggerMessage(EventId = 1181, Level = LogLevel.Warning, EventName = "CommitWaitsForStore",
        Message = "The new tokens of connection {ConnectionId} cannot be stored yet (the store is unavailable); trying again when it is back, or in {Seconds} s. They are kept in memory until then; requests for it meanwhile are answered as the outage allows.")]
    public static partial void CommitWaitsForStore(ILogger logger, string connectionId, double seconds);

    [LoggerMessage(EventId = 1182, Level = LogLevel.Warning, EventName = "RefreshCommittedLate",
        Message = "Connection {ConnectionId} had been marked refresh_interrupted while its refresh's answer waited for the store; that answer is stored now and the connection is active again.")]
    public static partial void RefreshCommittedLate(ILogger logger, string connectionId);

    // 1170–1179: scopes an API asked for, and testing a connection.
    [LoggerMessage(EventId = 1170, Level = LogLevel.Information, EventName = "ScopesRequired",
        Message = "{Provider}'s API needs scopes connection {ConnectionId} was not granted ({Scopes}): reconnect it to grant them.")]
    public static partial void ScopesRequired(ILogger logger, string provider, string connectionId, IReadOnlyList<string> scopes);

    [LoggerMessage(EventId = 1171, Level = LogLevel.Warning, EventName = "ScopesNotRecorded",
        Message = "The API needs broader scopes for connection {ConnectionId}, but the store could not record it; the app was still told where to reconnect.")]
    public static partial void ScopesNotRecorded(ILogger logger, string connectionId, Exception exception);
}
