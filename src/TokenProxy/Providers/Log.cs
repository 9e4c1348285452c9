namespace TokenProxy.Providers;

/// <summary>Provider log messages: event ids 1500–1599. Names and hosts only, never a client secret or a URL's query.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Debug, EventName = "ProviderReady",
        Message = "Provider {Provider}: API at {ApiAuthority}; connecting {Connecting}.")]
    public static partial void ProviderReady(ILogger logger, string provider, string apiAuthority, string connecting);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, EventName = "ProvidersChanged",
        Message = "Providers changed: {Providers}; the new configuration is in use.")]
    public static partial void ProvidersChanged(ILogger logger, string providers);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, EventName = "ProvidersChangeRefused",
        Message = "The configuration change was refused ({Count} problem(s), each on its own line); the running providers are kept.")]
    public static partial void ProvidersChangeRefused(ILogger logger, int count);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Error, EventName = "ProvidersChangeProblem", Message = "Refused: {Problem}")]
    public static partial void ProvidersChangeProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, EventName = "RestartWouldRefuse",
        Message = "The configuration files changed: settings outside TokenProxy:Providers are read at startup only, and the next start will refuse this one: {Problem}")]
    public static partial void RestartWouldRefuse(ILogger logger, string problem);
}
