namespace TokenProxy.Admin;

/// <summary>Admin log messages: event ids 1400–1499. Connection ids, provider names and labels only, never a token or the admin token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, EventName = "ConnectionImported",
        Message = "Imported {Provider} connection {ConnectionId} with label '{Label}'.")]
    public static partial void ConnectionImported(ILogger logger, string provider, string connectionId, string label);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, EventName = "ClientCredentialsConnectionCreated",
        Message = "Created {Provider} connection {ConnectionId} with label '{Label}' from a client credentials grant.")]
    public static partial void ClientCredentialsConnectionCreated(ILogger logger, string provider, string connectionId, string label);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, EventName = "ClientCredentialsRefused",
        Message = "No {Provider} connection was created: the token endpoint answered the client credentials grant with {Error} ({Outcome}).")]
    public static partial void ClientCredentialsRefused(ILogger logger, string provider, string? error, string outcome);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, EventName = "ConnectionRevoked",
        Message = "Revoked {Provider} connection {ConnectionId}; at the provider: {Result}.")]
    public static partial void ConnectionRevoked(ILogger logger, string provider, string connectionId, string result);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, EventName = "ConnectionDeleted",
        Message = "Deleted connection {ConnectionId}.")]
    public static partial void ConnectionDeleted(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, EventName = "RefreshRequested",
        Message = "Refresh of {ConnectionId} asked for on the admin API: {Outcome}.")]
    public static partial void RefreshRequested(ILogger logger, string connectionId, string outcome);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Information, EventName = "ConnectRequestCreated",
        Message = "Created connect request {RequestId} for workspace {Workspace} to connect {Provider}, valid until {ExpiresAt:O}.")]
    public static partial void ConnectRequestCreated(ILogger logger, string requestId, string workspace, string provider, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Information, EventName = "ConnectRequestCancelled",
        Message = "Cancelled connect request {RequestId}.")]
    public static partial void ConnectRequestCancelled(ILogger logger, string requestId);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Warning, EventName = "AdminTokensLocked",
        Message = "{Address} presented {Count} wrong admin tokens within a minute: its requests that present one are refused (429) for {Seconds} s.")]
    public static partial void AdminTokensLocked(ILogger logger, string address, int count, int seconds);

    [LoggerMessage(EventId = 1420, Level = LogLevel.Information, EventName = "ConnectionTested",
        Message = "Tested connection {ConnectionId}: ok {Ok}, status {Status}, {Error}.")]
    public static partial void ConnectionTested(ILogger logger, string connectionId, bool ok, int? status, string? error);
}
