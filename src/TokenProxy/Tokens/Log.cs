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

    // 1150–1159: the credential cache.
    [LoggerMessage(EventId = 1150, Level = LogLevel.Information, EventName = "CacheReconciled",
        Message = "Checked {Held} cached credential(s) against {Store} after notifications resumed: {Evicted} changed or removed meanwhile and were dropped, the rest confirmed.")]
    public static partial void Reconciled(ILogger logger, int held, int evicted, string store);

    [LoggerMessage(EventId = 1151, Level = LogLevel.Warning, EventName = "CacheReconcileFailed",
        Message = "Could not check cached credentials against {Store}; they stay unconfirmed (bounded by Store:MaxStaleness).")]
    public static partial void ReconcileFailed(ILogger logger, string store, Exception exception);
}
