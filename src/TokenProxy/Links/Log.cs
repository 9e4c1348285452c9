namespace TokenProxy.Links;

/// <summary>Link log messages: event ids 1700–1799. Connect request and connection ids only, never a link's token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Information, EventName = "LinkRefused",
        Message = "A connect request's link was refused: {Outcome} (request {RequestId}).")]
    public static partial void LinkRefused(ILogger logger, string outcome, string? requestId);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, EventName = "LinkConnectStarted",
        Message = "Connect request {RequestId}: a person started connecting {Provider}.")]
    public static partial void LinkConnectStarted(ILogger logger, string requestId, string provider);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Information, EventName = "LinkCompleted",
        Message = "Connect request {RequestId} completed: connection {ConnectionId}.")]
    public static partial void LinkCompleted(ILogger logger, string requestId, string connectionId);
}
