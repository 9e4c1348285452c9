using System.Diagnostics;
using System.Diagnostics.Metrics;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;
using Attributes = TokenProxy.Telemetry.Telemetry.Attributes;

namespace TokenProxy.Tokens;

/// <summary>
/// What the Tokens folder tells an operator, in one place: the <c>tokenproxy.token</c>, <c>tokenproxy.refresh</c>,
/// <c>tokenproxy.connect</c> and <c>tokenproxy.callback</c> spans, the refresh and cache metrics, the connections gauge and the log lines. The durable events of these changes are
/// written by the store with them (docs/architecture.md, §10); failures that change nothing stay here, in spans and logs. The meter
/// comes from <see cref="IMeterFactory"/>, so each host has its own instruments and gauge state. Ids, names and
/// outcomes only, never a token.
/// </summary>
internal sealed class TokenInstrumentation
{
    private static readonly KeyValuePair<string, object?> Hit = new(Attributes.CacheHit, true);
    private static readonly KeyValuePair<string, object?> Miss = new(Attributes.CacheHit, false);

    private readonly Counter<long> _refreshes;
    private readonly Histogram<double> _refreshDuration;
    private readonly Histogram<double> _refreshUnconfirmed;
    private readonly Counter<long> _cacheLookups;
    private readonly ILogger _refreshLogger;
    private readonly ILogger _serviceLogger;
    private readonly ILogger _connectLogger;
    private IReadOnlyDictionary<string, int> _connectionCounts = new Dictionary<string, int>();

    public TokenInstrumentation(
        IMeterFactory meters, ILogger<TokenRefresher> refreshLogger, ILogger<TokenService> serviceLogger, ILogger<AuthorizationFlow> connectLogger)
    {
        _connectLogger = connectLogger;
        _refreshLogger = refreshLogger;
        _serviceLogger = serviceLogger;
        var meter = meters.Create(Telemetry.Telemetry.Name);
        _refreshes = meter.CreateCounter<long>("tokenproxy.refreshes", "{refresh}", "Token refreshes, by provider, reason and outcome.");
        _refreshDuration = meter.CreateHistogram<double>("tokenproxy.refresh.duration", "s", "Time a refresh took, retries included.");
        _refreshUnconfirmed = meter.CreateHistogram<double>(
            "tokenproxy.refresh.unconfirmed", "s", "Time from recording a refresh as sent to committing its answer: a crash within it interrupts the refresh.");
        // The hit ratio is hits / all.
        _cacheLookups = meter.CreateCounter<long>("tokenproxy.cache.lookups", "{lookup}", "Token lookups, by whether the in-memory cache answered.");
        // As of the last background pass (every Refresh:BackgroundInterval).
        meter.CreateObservableGauge(
            "tokenproxy.connections",
            () => Volatile.Read(ref _connectionCounts).Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>(Attributes.ConnectionStatus, p.Key))),
            "{connection}",
            "Connections by status.");
    }

    /// <summary>Starts the span of one token lookup; null (free) when nobody listens.</summary>
    public static Activity? StartLookup(string provider)
    {
        var activity = Telemetry.Telemetry.Source.StartActivity("tokenproxy.token");
        activity?.SetTag(Attributes.Provider, provider);
        return activity;
    }

    public void CacheLookup(bool hit) => _cacheLookups.Add(1, hit ? Hit : Miss);

    /// <summary>Ends a lookup's span with the connection it found and, on failure, the failure's wire name.</summary>
    public static void LookupDone(Activity? activity, TokenResult<CachedCredential> lookup, bool cacheHit)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(Attributes.CacheHit, cacheHit);
        if (lookup.Value is { } found)
        {
            activity.SetTag(Attributes.ConnectionId, found.ConnectionId);
            activity.SetTag(Attributes.ConnectionStatus, found.Status.ToWire());
        }

        if (!lookup.Succeeded)
        {
            var failure = lookup.Failure.Kind.ToWire();
            activity.SetTag(Attributes.Failure, failure);
            activity.SetStatus(ActivityStatusCode.Error, failure);
        }

        activity.Dispose();
    }

    /// <summary>Starts the span of one refresh (always recorded: see <see cref="Telemetry.Telemetry.Operations"/>).</summary>
    public static Activity? StartRefresh(string connectionId, RefreshReason reason)
    {
        var activity = Telemetry.Telemetry.StartOperation("tokenproxy.refresh");
        activity?.SetTag(Attributes.ConnectionId, connectionId);
        activity?.SetTag(Attributes.RefreshReason, reason.ToWire());
        return activity;
    }

    /// <summary>
    /// A refresh finished: its span's outcome, the refresh metrics when the token endpoint was called, and one log line.
    /// </summary>
    public void Refreshed(Activity? activity, string connectionId, RefreshReason reason, RefreshRun run, TimeSpan elapsed)
    {
        var row = run.Result.Value;
        var outcome = run.OutcomeName;
        activity?.SetTag(Attributes.Provider, row?.Provider);
        activity?.SetTag(Attributes.RefreshOutcome, outcome);
        activity?.SetTag(Attributes.RefreshAttempts, run.Attempts);
        if (row is not null)
        {
            activity?.SetTag(Attributes.ConnectionStatus, row.Status.ToWire());
        }

        if (run.Result.Failure is { Kind: FailureKind.Rejected or FailureKind.Transient or FailureKind.Misconfigured } failure)
        {
            Telemetry.Telemetry.Fail(activity, failure.Error, failure.Description);
        }

        var reasonName = reason.ToWire();
        if (run.Attempts > 0)
        {
            var tags = new TagList
            {
                { Attributes.Provider, row?.Provider },
                { Attributes.RefreshReason, reasonName },
                { Attributes.RefreshOutcome, outcome },
            };
            _refreshes.Add(1, tags);
            _refreshDuration.Record(elapsed.TotalSeconds, tags);
        }

        if (run.Unconfirmed is { } unconfirmed)
        {
            activity?.SetTag(Attributes.RefreshUnconfirmedMs, unconfirmed.TotalMilliseconds);
            _refreshUnconfirmed.Record(unconfirmed.TotalSeconds, new KeyValuePair<string, object?>(Attributes.Provider, row?.Provider));
        }

        Log.Refreshed(_refreshLogger, connectionId, reasonName, outcome, run.Attempts, elapsed.TotalMilliseconds);
    }

    /// <summary>Starts one of the always-recorded authorization spans (<c>tokenproxy.connect</c>, <c>tokenproxy.callback</c>).</summary>
    public static AuthorizationAttempt StartAuthorization(string operation, Providers.ProviderDefinition provider)
    {
        var activity = Telemetry.Telemetry.StartOperation(operation);
        activity?.SetTag(Attributes.Provider, provider.Name);
        return new AuthorizationAttempt(activity, operation, provider.Name);
    }

    public static void ForConnection(Activity? activity, string connectionId) => activity?.SetTag(Attributes.ConnectionId, connectionId);

    /// <summary>An authorization stopped with <paramref name="title"/> (what the person is shown).</summary>
    public void AuthorizationFailed(AuthorizationAttempt attempt, string title)
    {
        Telemetry.Telemetry.Fail(attempt.Activity, "authorization_failed", title);
        var callback = attempt.Operation == "tokenproxy.callback";
        Log.AuthorizationFailed(_connectLogger, attempt.Provider, callback ? "callback" : "connect", attempt.ConnectionId, title);
    }

    /// <summary>The token endpoint did not exchange the code (RFC 6749 §5.2 error, or unreachable).</summary>
    public void CodeExchangeFailed(Activity? activity, string provider, string connectionId, TokenFailure failure)
    {
        Telemetry.Telemetry.Fail(activity, failure.Error, failure.Description);
        var kind = failure.Kind.ToWire();
        Log.CodeExchangeFailed(_connectLogger, provider, connectionId, failure.Error, kind);
    }

    /// <summary>The connection holds its new tokens (its <c>connection.created</c> or <c>connection.reconnected</c> event committed with them).</summary>
    public void Connected(Activity? activity, string provider, string connectionId)
    {
        activity?.SetTag(Attributes.ConnectionStatus, "active");
        Log.Connected(_connectLogger, provider, connectionId);
    }

    /// <summary>
    /// A refresh answer named parameters (an <c>instance_url</c>) that do not pass the provider's checks: the row keeps its
    /// own, and the operator is told, since it is either an instance that moved or an attempt to redirect the traffic.
    /// </summary>
    public void ResponseParametersRefused(string provider, string connectionId, string problem)
    {
        Log.ResponseParametersRefused(_refreshLogger, connectionId, provider, problem);
    }

    /// <summary>
    /// A connect's token response pointed the API elsewhere (an <c>instance_url</c> outside AllowedHosts): the person's page
    /// says so, and the operator is told why, since a provider, or someone between it and the proxy, tried to send
    /// requests and their tokens to another host.
    /// </summary>
    public void ConnectDestinationRefused(string provider, string connectionId, string problem) =>
        Log.ConnectDestinationRefused(_connectLogger, connectionId, provider, problem);

    /// <summary>A connection read from the store holds a kind its provider no longer offers; said once per row version read.</summary>
    public void KindNotOffered(string provider, string connectionId, CredentialKind kind) =>
        Log.KindNotOffered(_serviceLogger, provider, connectionId, kind.ToWire());

    /// <summary>An event that accompanies no row change (a provider's circuit) could not be written.</summary>
    public void EventNotRecorded(string type, Exception exception) => Events.Log.EventNotRecorded(_refreshLogger, type, exception);

    /// <summary>The provider refused a refresh token after an earlier refresh of it was interrupted (docs/architecture.md §5).</summary>
    public void RefreshInterrupted(string connectionId, string provider) => Log.RefreshInterrupted(_refreshLogger, connectionId, provider);

    public void RefreshDiscarded(string connectionId) => Log.RefreshDiscarded(_refreshLogger, connectionId);

    public void VaultKeyMissing(string provider, string connectionId, string? keyId) => Log.VaultKeyMissing(_serviceLogger, provider, connectionId, keyId);

    public void CommitWaitsForStore(string connectionId, TimeSpan wait) => Log.CommitWaitsForStore(_refreshLogger, connectionId, wait.TotalSeconds);

    public void RefreshCommittedLate(string connectionId) => Log.RefreshCommittedLate(_refreshLogger, connectionId);

    public void AcceptanceNotRecorded(string connectionId, Exception exception) => Log.AcceptanceNotRecorded(_serviceLogger, connectionId, exception);

    public void ScopesRequired(string provider, string connectionId, IReadOnlyList<string> scopes) =>
        Log.ScopesRequired(_serviceLogger, provider, connectionId, scopes);

    public void ScopesNotRecorded(string connectionId, Exception exception) => Log.ScopesNotRecorded(_serviceLogger, connectionId, exception);

    /// <summary>The <c>tokenproxy.connections</c> gauge's next reading, from a background pass's list.</summary>
    public void CountConnections(IEnumerable<ConnectionRow> rows) =>
        Volatile.Write(ref _connectionCounts, rows.GroupBy(r => r.Status.ToWire()).ToDictionary(g => g.Key, g => g.Count()));
}
