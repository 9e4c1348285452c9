namespace TokenProxy.Proxy;

/// <summary>Proxy log messages: event ids 1000–1099. Never a token or an Authorization header.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, EventName = "EgressBlocked",
        Message = "Security: blocked a request to {Target}; only {Allowed} may receive this provider's token.")]
    public static partial void EgressBlocked(ILogger logger, string target, string allowed);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, EventName = "TokenUnavailable",
        Message = "No token for {Provider} connection '{Selector}': {Failure}.")]
    public static partial void TokenUnavailable(ILogger logger, string provider, string selector, string failure);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, EventName = "LinesLeftOut",
        Message = "The line above (event {EventId}) came {Count} more time(s) since it was last written; at most one such line is written a minute.")]
    public static partial void LinesLeftOut(ILogger logger, int eventId, long count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, EventName = "UpstreamFailed",
        Message = "Forwarding to {Provider} failed: {Error} ({Reason}).")]
    public static partial void UpstreamFailed(ILogger logger, string provider, Yarp.ReverseProxy.Forwarder.ForwarderError error, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, EventName = "ClientFailed",
        Message = "A request to {Provider} failed on the app's side ({Error}, status {Status}); not counted against the provider.")]
    public static partial void ClientFailed(ILogger logger, string provider, Yarp.ReverseProxy.Forwarder.ForwarderError error, int? status);

    /// <summary>One line per forwarded request, at Debug. The path and query are left out: a query string can carry an API key.</summary>
    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, EventName = "Proxied",
        Message = "Proxied {Provider} connection {ConnectionId}: {Status} in {DurationMs:0.0} ms.")]
    public static partial void Proxied(ILogger logger, string provider, string connectionId, int status, double durationMs);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, EventName = "DestinationRefused",
        Message = "Security: {Provider} connection {ConnectionId} was not forwarded; its parameters do not resolve to an allowed API address: {Problem}.")]
    public static partial void DestinationRefused(ILogger logger, string provider, string connectionId, string? problem);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, EventName = "UnexpectedFailure",
        Message = "A proxied request failed unexpectedly; it was answered with a 500.")]
    public static partial void UnexpectedFailure(ILogger logger, Exception exception);
}
