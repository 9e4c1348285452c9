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

    public ProxyInstrumentation(IMeterFactory meters, TimeProvider time, ILogger<ProxyEndpoint> logger)
    {
        _time = time;
        _logger = logger;
        var meter = meters.Create(Telemetry.Telemetry.Name);
        _upstreamUnauthorized = meter.CreateCounter<long>("tokenproxy.upstream.unauthorized", "{response}", "401 answers from provider APIs.");
        _replays = meter.CreateCounter<long>("tokenproxy.replays", "{request}", "Requests replayed with a new token after a 401.");
        _injectionFailures = meter.CreateCounter<long>("tokenproxy.injection.failures", "{request}", "Requests answered without forwarding, by failure kind.");
    }

    /// <summary>No token for the request: it is answered with the failure's problem instead of being forwarded.</summary>
    public void TokenUnavailable(string provider, string selector, TokenResult<CachedCredential> lookup)
    {
        var failure = lookup.Failure!.Kind.ToWire();
        Log.TokenUnavailable(_logger, provider, selector, failure);
        InjectionFailure(provider, failure, lookup.Value?.ConnectionId);
    }

    /// <summary>The connection's parameters do not resolve to an address the provider allows: answered without forwarding.</summary>
    public void DestinationRefused(string provider, CachedCredential credential)
    {
        Log.DestinationRefused(_logger, provider, credential.ConnectionId, credential.ApiBaseProblem);
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
        Log.UpstreamFailed(_logger, provider, error, cause is null ? "no further detail" : Vault.StoreAvailability.Describe(cause));
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
