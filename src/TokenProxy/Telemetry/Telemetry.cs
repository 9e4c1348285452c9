using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TokenProxy.Telemetry;

/// <summary>
/// Every signal the proxy emits, in one place: the <c>TokenProxy</c> ActivitySource and Meter, and the
/// lower-case dotted attribute names. Values are ids, names and outcomes — never a token or secret.
/// </summary>
internal static class Telemetry
{
    public const string Name = "TokenProxy";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    public static class Attributes
    {
        public const string Provider = "tokenproxy.provider";
        public const string ConnectionId = "tokenproxy.connection.id";
        public const string ConnectionStatus = "tokenproxy.connection.status";
        public const string RefreshReason = "tokenproxy.refresh.reason";
        public const string RefreshOutcome = "tokenproxy.refresh.outcome";
        public const string CacheHit = "tokenproxy.cache.hit";
        public const string Failure = "tokenproxy.failure";
    }
}
