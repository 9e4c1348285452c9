namespace TokenProxy.OAuth;

/// <summary>OAuth log messages: event ids 1300–1399. Provider names, token types and OAuth error codes only, never a code, verifier or token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, EventName = "RevocationFailed",
        Message = "{Provider}'s revocation endpoint did not revoke the connection's {TokenType}: {Error} ({Kind}). The connection's tokens were deleted here all the same.")]
    public static partial void RevocationFailed(ILogger logger, string provider, string tokenType, string? error, string kind);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, EventName = "OlderClientSecretInUse",
        Message = "{Provider} refused its newest client secret (invalid_client) and accepted secret {Position} of {Count}; calls now use that one, and the newest is tried again every 10 minutes. Check the new secret, or finish the rotation at the provider.")]
    public static partial void OlderClientSecretInUse(ILogger logger, string provider, int position, int count);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, EventName = "NewestClientSecretInUse",
        Message = "{Provider} accepts its newest client secret (of {Count}); the older ones can be removed from ClientSecrets.")]
    public static partial void NewestClientSecretInUse(ILogger logger, string provider, int count);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Error, EventName = "ProviderMisconfigured",
        Message = "{Provider} refused every configured client secret ({Count}, invalid_client): the provider is misconfigured. Connections are kept; requests that need a new token get 503 provider_misconfigured until a secret works. Asked again every 30 seconds.")]
    public static partial void ProviderMisconfigured(ILogger logger, string provider, int count);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information, EventName = "ProviderConfigured",
        Message = "{Provider} accepts a configured client secret again; its connections work as before.")]
    public static partial void ProviderConfigured(ILogger logger, string provider);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, EventName = "ProviderEventNotRecorded",
        Message = "The {Type} event of {Provider} could not be read or written in the event log.")]
    public static partial void ProviderEventNotRecorded(ILogger logger, string type, string provider, Exception exception);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, EventName = "AccountNotRead",
        Message = "{Provider}'s identity endpoint did not say which account was connected ({Reason}); the connection works, its account is not shown.")]
    public static partial void AccountNotRead(ILogger logger, string provider, string reason);
}
