namespace TokenProxy.Events;

/// <summary>Event log messages: event ids 1900–1999. Ids, types and OAuth error codes only, never a token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1900, Level = LogLevel.Information, EventName = "EventRecorded",
        Message = "Event {EventType} #{Sequence} by {Actor}: connection {ConnectionId}, provider {Provider}, workspace {Workspace}, error {ErrorCode}.")]
    public static partial void EventRecorded(ILogger logger, string eventType, long sequence, string actor, string? connectionId, string? provider, string? workspace, string? errorCode);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Information, EventName = "EventsPruned",
        Message = "Deleted {Count} event(s) older than {RetentionDays} days.")]
    public static partial void EventsPruned(ILogger logger, int count, int retentionDays);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Error, EventName = "EventPassFailed",
        Message = "An event log pass ({Pass}) failed; the next one runs on schedule.")]
    public static partial void PassFailed(ILogger logger, string pass, Exception exception);

    [LoggerMessage(EventId = 1903, Level = LogLevel.Warning, EventName = "EventNotRecorded",
        Message = "The event {EventType} could not be written to the event log.")]
    public static partial void EventNotRecorded(ILogger logger, string eventType, Exception exception);
}
