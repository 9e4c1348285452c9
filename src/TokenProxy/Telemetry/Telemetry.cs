using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TokenProxy.Telemetry;

/// <summary>
/// Every signal the proxy emits, in one place: the <c>TokenProxy</c> ActivitySource and Meter, their
/// instruments, and the lower-case dotted attribute names. Values are ids, names and outcomes — never a
/// token or secret.
/// </summary>
internal static class Telemetry
{
    public const string Name = "TokenProxy";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>
    /// Spans of the work an operator must see when it fails, recorded and exported whatever the sampler says
    /// (<see cref="AlwaysRecorded"/>): they are rare (about one refresh per token lifetime), unlike proxied requests.
    /// </summary>
    public static readonly IReadOnlySet<string> Operations = new HashSet<string>(StringComparer.Ordinal)
    {
        "tokenproxy.refresh", "tokenproxy.connect", "tokenproxy.callback", "tokenproxy.revoke",
    };

    public static readonly Meter Meter = new(Name);

    /// <summary>Refreshes by provider, reason and outcome.</summary>
    public static readonly Counter<long> Refreshes = Meter.CreateCounter<long>("tokenproxy.refreshes", "{refresh}", "Token refreshes, by provider, reason and outcome.");

    public static readonly Histogram<double> RefreshDuration = Meter.CreateHistogram<double>("tokenproxy.refresh.duration", "s", "Time a refresh took, retries included.");

    public static readonly Counter<long> UpstreamUnauthorized = Meter.CreateCounter<long>("tokenproxy.upstream.unauthorized", "{response}", "401 answers from provider APIs.");

    public static readonly Counter<long> Replays = Meter.CreateCounter<long>("tokenproxy.replays", "{request}", "Requests replayed with a new token after a 401.");

    public static readonly Counter<long> InjectionFailures = Meter.CreateCounter<long>("tokenproxy.injection.failures", "{request}", "Requests answered without forwarding, by failure kind.");

    /// <summary>Token lookups by cache hit (true/false): the hit ratio is hits / all.</summary>
    public static readonly Counter<long> CacheLookups = Meter.CreateCounter<long>("tokenproxy.cache.lookups", "{lookup}", "Token lookups, by whether the in-memory cache answered.");

    private static IReadOnlyDictionary<string, int> _connectionCounts = new Dictionary<string, int>();

    /// <summary>Connections by status, as of the last background pass (every <c>Refresh:BackgroundInterval</c>).</summary>
    public static readonly ObservableGauge<int> Connections = Meter.CreateObservableGauge(
        "tokenproxy.connections",
        () => Volatile.Read(ref _connectionCounts).Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>(Attributes.ConnectionStatus, p.Key))),
        "{connection}",
        "Connections by status.");

    public static void SetConnectionCounts(IReadOnlyDictionary<string, int> counts) => Volatile.Write(ref _connectionCounts, counts);

    public static class Attributes
    {
        public const string Provider = "tokenproxy.provider";
        public const string ConnectionId = "tokenproxy.connection.id";
        public const string ConnectionStatus = "tokenproxy.connection.status";
        public const string RefreshReason = "tokenproxy.refresh.reason";
        public const string RefreshOutcome = "tokenproxy.refresh.outcome";
        public const string RefreshAttempts = "tokenproxy.refresh.attempts";
        public const string CacheHit = "tokenproxy.cache.hit";
        public const string Failure = "tokenproxy.failure";
        public const string RevokeResult = "tokenproxy.revoke.result";
        public const string ErrorCode = "tokenproxy.error.code";
    }

    /// <summary>
    /// Starts one of the <see cref="Operations"/>. Inside a recorded trace it is a child span; inside a trace the
    /// sampler dropped (or with no trace at all) it starts its own trace, linked to the request that waited for
    /// it, so it is not exported with a parent nobody exported.
    /// </summary>
    public static Activity? StartOperation(string name)
    {
        if (Activity.Current is not { Recorded: false } unrecorded)
        {
            return Source.StartActivity(name);
        }

        // A root span needs no current activity; callers are async methods, so the change stays in their scope.
        Activity.Current = null;
        var activity = Source.StartActivity(name, ActivityKind.Internal, default(ActivityContext), links: [new ActivityLink(unrecorded.Context)]);
        if (activity is null)
        {
            Activity.Current = unrecorded;
        }

        return activity;
    }

    /// <summary>Marks a span failed with the OAuth error code and description (never a token value).</summary>
    public static void Fail(Activity? activity, string? code, string? description)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, description is null ? code : $"{code}: {description}");
        activity.SetTag(Attributes.ErrorCode, code);
    }
}
