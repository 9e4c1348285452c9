namespace TokenProxy.OAuth;

/// <summary>OAuth log messages: event ids 1300–1399. Connection ids, provider names and OAuth error codes only, never a code, verifier or token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, EventName = "Connected",
        Message = "Connected {Provider} connection {ConnectionId}.")]
    public static partial void Connected(ILogger logger, string provider, string connectionId);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, EventName = "AuthorizationFailed",
        Message = "Authorization for {Provider} failed at {Step} (connection {ConnectionId}): {Title}.")]
    public static partial void AuthorizationFailed(ILogger logger, string? provider, string step, string? connectionId, string title);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, EventName = "CodeExchangeFailed",
        Message = "{Provider}'s token endpoint did not exchange the authorization code of connection {ConnectionId}: {Error} ({Kind}).")]
    public static partial void CodeExchangeFailed(ILogger logger, string provider, string connectionId, string? error, string kind);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, EventName = "RevocationFailed",
        Message = "{Provider}'s revocation endpoint did not revoke a {TokenType}: {Error} ({Kind}). The connection's tokens were deleted here all the same.")]
    public static partial void RevocationFailed(ILogger logger, string provider, string tokenType, string? error, string kind);
}
