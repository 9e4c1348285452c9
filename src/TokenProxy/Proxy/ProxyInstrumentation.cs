using System.Diagnostics;
using System.Diagnostics.Metrics;
using TokenProxy.OAuth;
using TokenProxy.Tokens;
using Yarp.ReverseProxy.Forwarder;
using Attributes = TokenProxy.Telemetry.Telemetry.Attributes;

namespace TokenProxy.Proxy;

/// <summary>
/// What the data plane tells an operator, in one place: its metrics (401s from provider APIs, replays, requests answered
/// without forwarding), the span events of those failures and the log lines, under <see cref="ProxyEndpoint"/>'s category. The meter
/// comes from <see cref="IMeterFactory"/>. Never a path, query, token or Authorization header.
/// </summary>
internal sealed class ProxyInstrumentation
{
    private readonly Counter<long> _upstreamUnauthorized;
    private readonly Counter<long> _replays;
    private readonly Counter<long> _injectionFailures;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RepeatedLines _repeated;

    public ProxyInstrumentation(IMeterFactory meters, TimeProvider time, ILogger<ProxyEndpoint> logger)
    {
        _time = time;
        _logger = logger;
        _repeated = new RepeatedLines(time);
        var meter = meters.Create(Telemetry.Telemetry.Name);
        _upstreamUnauthorized = meter.CreateCounter<long>("tokenproxy.upstream.unauthorized", "{response}", "401 answers from provider APIs.");
        _replays = meter.CreateCounter<long>("tokenproxy.replays", "{request}", "Replays of a request with a new token after a 401 (at most two per request).");
        _injectionFailures = meter.CreateCounter<long>("tokenproxy.injection.failures", "{request}", "Requests answered without forwarding, by failure kind.");
    }

    /// <summary>No token for the request: it is answered with the failure's problem instead of being forwarded.</summary>
    public void TokenUnavailable(string provider, string selector, TokenResult<CachedCredential> lookup)
    {
        var failure = lookup.Failure!.Kind.ToWire();
        if (Admit(LogLevel.Information, 1001, provider, selector, failure, out var leftOut))
        {
            Log.TokenUnavailable(_logger, provider, selector, failure);
            LeftOut(1001, leftOut);
        }

        InjectionFailure(provider, failure, lookup.Value?.ConnectionId);
    }

    /// <summary>The connection's parameters do not resolve to an address the provider allows: answered without forwarding.</summary>
    public void DestinationRefused(string provider, CachedCredential credential)
    {
        if (Admit(LogLevel.Warning, 1006, provider, credential.ConnectionId, string.Empty, out var leftOut))
        {
            Log.DestinationRefused(_logger, provider, credential.ConnectionId, credential.ApiBaseProblem);
            LeftOut(1006, leftOut);
        }

        InjectionFailure(provider, "invalid_destination", credential.ConnectionId);
    }

    /// <summary>The provider's API answered 401 and no new token could be had: the held-back 401 becomes the failure's problem.</summary>
    public void NoTokenAfterUnauthorized(string provider, TokenResult<CachedCredential> lookup) =>
        InjectionFailure(provider, lookup.Failure!.Kind.ToWire(), lookup.Value?.ConnectionId);

    public void UpstreamUnauthorized(string provider) => _upstreamUnauthorized.Add(1, new KeyValuePair<string, object?>(Attributes.Provider, provider));

    public void Replayed(string provider) => _replays.Add(1, new KeyValuePair<string, object?>(Attributes.Provider, provider));

    /// <summary>
    /// The provider's API could not be reached or answered nothing usable: one line with the cause's messages ("Connection
    /// refused (api.example.com:443)"), which name the host, never the path or query (they may carry an API key).
    /// </summary>
    public void UpstreamFailed(string provider, ForwarderError error, string connectionId, Exception? cause)
    {
        var reason = cause is null ? "no further detail" : Vault.StoreAvailability.Describe(cause);
        if (Admit(LogLevel.Warning, 1002, provider, connectionId, reason, out var leftOut))
        {
            Log.UpstreamFailed(_logger, provider, error, reason);
            LeftOut(1002, leftOut);
        }

        InjectionFailure(provider, "upstream_unavailable", connectionId);
    }

    /// <summary>The app's side failed: logged at Debug, no event, nothing counted against the provider.</summary>
    public void ClientFailed(string provider, ForwarderError error, int? status) => Log.ClientFailed(_logger, provider, error, status);

    /// <summary>One Debug line per forwarded request, from its start's timestamp; free when Debug is off.</summary>
    public void Proxied(string provider, string connectionId, int status, long started)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var elapsed = _time.GetElapsedTime(started);
            Log.Proxied(_logger, provider, connectionId, status, elapsed.TotalMilliseconds);
        }
    }

    public void UnexpectedFailure(Exception exception) => Log.UnexpectedFailure(_logger, exception);

    /// <summary>Whether to write a line a request caused (<see cref="RepeatedLines"/>); nothing to decide when its level is off.</summary>
    private bool Admit(LogLevel level, int eventId, string provider, string subject, string cause, out long leftOut)
    {
        leftOut = 0;
        return _logger.IsEnabled(level) && _repeated.Admit(eventId, provider, subject, cause, out leftOut);
    }

    private void LeftOut(int eventId, long count)
    {
        if (count > 0)
        {
            Log.LinesLeftOut(_logger, eventId, count);
        }
    }

    private void InjectionFailure(string provider, string kind, string? connectionId)
    {
        _injectionFailures.Add(1, new TagList
        {
            { Attributes.Provider, provider },
            { Attributes.Failure, kind },
        });
        // Per request, so not in the durable event log (a connection's change of state is): an event on the request's span.
        Activity.Current?.AddEvent(new ActivityEvent("tokenproxy.injection_failure", tags: new ActivityTagsCollection
        {
            [Attributes.Failure] = kind,
            [Attributes.Provider] = provider,
            [Attributes.ConnectionId] = connectionId,
        }));
    }
}
