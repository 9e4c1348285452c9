namespace TokenProxy.Proxy;

/// <summary>Proxy log messages: event ids 1000–1099. Never a token or an Authorization header.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, EventName = "EgressBlocked",
        Message = "Security: blocked a request to {Target}; only {Allowed} may receive this provider's token.")]
    public static partial void EgressBlocked(ILogger logger, string target, string allowed);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, EventName = "TokenUnavailable",
        Message = "No token for {Provider} connection '{Selector}': {Failure}.")]
    public static partial void TokenUnavailable(ILogger logger, string provider, string selector, TokenProxy.Tokens.TokenFailure failure);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, EventName = "UpstreamFailed",
        Message = "Forwarding to {Provider} failed: {Error}.")]
    public static partial void UpstreamFailed(ILogger logger, string provider, Yarp.ReverseProxy.Forwarder.ForwarderError error);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, EventName = "UnexpectedFailure",
        Message = "A proxied request failed unexpectedly; it was answered with a 500.")]
    public static partial void UnexpectedFailure(ILogger logger, Exception exception);
}
