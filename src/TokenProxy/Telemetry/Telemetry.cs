using System.Diagnostics;

namespace TokenProxy.Telemetry;

/// <summary>
/// The names every signal shares: the <c>TokenProxy</c> ActivitySource and meter name, the always-recorded operations,
/// and the lower-case dotted attribute names. The instruments live with the folder that records them
/// (<c>Tokens/TokenInstrumentation</c>, <c>Proxy/ProxyInstrumentation</c>), on a meter from <c>IMeterFactory</c>.
/// Values are ids, names and outcomes — never a token or secret.
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

    public static class Attributes
    {
        public const string Provider = "tokenproxy.provider";
        public const string ConnectionId = "tokenproxy.connection.id";
        public const string ConnectionStatus = "tokenproxy.connection.status";
        public const string RefreshReason = "tokenproxy.refresh.reason";
        public const string RefreshOutcome = "tokenproxy.refresh.outcome";
        public const string RefreshAttempts = "tokenproxy.refresh.attempts";
        public const string RefreshUnconfirmedMs = "tokenproxy.refresh.unconfirmed_ms";
        public const string CacheHit = "tokenproxy.cache.hit";
        public const string Failure = "tokenproxy.failure";
        public const string RevokeResult = "tokenproxy.revoke.result";
        public const string ErrorCode = "tokenproxy.error.code";
        public const string Workspace = "tokenproxy.workspace";
        public const string EventId = "tokenproxy.event.id";
        public const string EventActor = "tokenproxy.event.actor";
        public const string EventType = "tokenproxy.event.type";
        public const string WebhookName = "tokenproxy.webhook.name";
        public const string WebhookStatus = "tokenproxy.webhook.status";
        public const string WebhookAttempt = "tokenproxy.webhook.attempt";
        public const string HttpStatusCode = "http.response.status_code";
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
