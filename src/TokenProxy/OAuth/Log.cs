namespace TokenProxy.OAuth;

/// <summary>OAuth log messages: event ids 1300–1399. Provider names, token types and OAuth error codes only, never a code, verifier or token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, EventName = "RevocationFailed",
        Message = "{Provider}'s revocation endpoint did not revoke a {TokenType}: {Error} ({Kind}). The connection's tokens were deleted here all the same.")]
    public static partial void RevocationFailed(ILogger logger, string provider, string tokenType, string? error, string kind);
}
