namespace TokenProxy.Portal;

/// <summary>Portal log messages: event ids 1800–1899. Workspace and session ids only, never a link or cookie value.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1800, Level = LogLevel.Information, EventName = "PortalLinkCreated",
        Message = "Created a portal link for workspace {Workspace}, valid until {ExpiresAt:u}.")]
    public static partial void LinkCreated(ILogger logger, string workspace, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Information, EventName = "PortalSessionStarted",
        Message = "Started portal session {SessionId} for workspace {Workspace}.")]
    public static partial void SessionStarted(ILogger logger, string sessionId, string workspace);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Information, EventName = "PortalSessionsEnded",
        Message = "Ended {Count} portal sessions and every portal link of workspace {Workspace}.")]
    public static partial void SessionsEnded(ILogger logger, int count, string workspace);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Information, EventName = "PortalLinkRefused",
        Message = "A portal link was refused: unknown, expired, or its workspace is gone.")]
    public static partial void LinkRefused(ILogger logger);

    [LoggerMessage(EventId = 1804, Level = LogLevel.Information, EventName = "PortalConnectionRevoked",
        Message = "Connection {ConnectionId} of workspace {Workspace} revoked from portal session {SessionId}.")]
    public static partial void ConnectionRevoked(ILogger logger, string connectionId, string workspace, string sessionId);

    [LoggerMessage(EventId = 1805, Level = LogLevel.Information, EventName = "PortalConnectionRefreshed",
        Message = "Refresh of connection {ConnectionId} of workspace {Workspace} asked for from portal session {SessionId}: {Outcome}.")]
    public static partial void RefreshRequested(ILogger logger, string connectionId, string workspace, string sessionId, string outcome);
}
