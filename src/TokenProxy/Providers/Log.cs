namespace TokenProxy.Providers;

/// <summary>Provider log messages: event ids 1500–1599. Names and hosts only, never a client secret or a URL's query.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Debug, EventName = "ProviderReady",
        Message = "Provider {Provider}: API at {ApiAuthority}; connecting {Connecting}.")]
    public static partial void ProviderReady(ILogger logger, string provider, string apiAuthority, string connecting);
}
