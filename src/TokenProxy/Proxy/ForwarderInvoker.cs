using System.Collections.Concurrent;
using System.Diagnostics;
using TokenProxy.Providers;

namespace TokenProxy.Proxy;

/// <summary>
/// The HTTP client the data plane sends through: YARP's recommended handler settings (no proxy, no
/// redirects — a 3xx goes back to the app untouched, with no token following it — no cookies, no
/// decompression), and in front of it one egress guard per API base, each allowing only that base: a provider's, or a
/// connection's own when the provider's base has placeholders. Two handlers, each with its connection pool: a request
/// whose trace is recorded goes through the one that starts HttpClient's client span and sends the proxy's trace context;
/// every other request through the one without (<see cref="ForwarderHandler.CreateUntraced"/>).
/// </summary>
internal sealed class ForwarderInvoker : IDisposable
{
    /// <summary>Guards kept for reuse; past this many distinct bases, a guard is made for the request and not kept.</summary>
    internal const int MaxCachedBases = 1024;

    private readonly HttpMessageHandler _traced;
    private readonly HttpMessageHandler _untraced;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Guards> _byBase = new(StringComparer.Ordinal);

    public ForwarderInvoker(ILogger<ForwarderInvoker> logger)
        : this(ForwarderHandler.Create(), ForwarderHandler.CreateUntraced(), logger)
    {
    }

    /// <summary>With one other handler for every request (tests and benchmarks answer in-process); it is disposed with this.</summary>
    internal ForwarderInvoker(HttpMessageHandler primary, ILogger logger)
        : this(primary, primary, logger)
    {
    }

    /// <summary>With other handlers for recorded and for other requests (benchmarks); both are disposed with this.</summary>
    internal ForwarderInvoker(HttpMessageHandler traced, HttpMessageHandler untraced, ILogger logger)
    {
        _traced = traced;
        _untraced = untraced;
        _logger = logger;
    }

    /// <summary>The invoker whose guard lets requests reach <paramref name="provider"/>'s fixed API base and nothing else.</summary>
    public HttpMessageInvoker For(ProviderDefinition provider) => For(provider.ApiBaseUrl!);

    /// <summary>
    /// The invoker whose guard lets requests reach <paramref name="apiBase"/> and nothing else, through the handler for
    /// the current trace: the traced one when <see cref="Activity.Current"/> is recorded. Looked up by the base's
    /// string, which <see cref="Uri"/> keeps once computed, so a lookup allocates nothing; the number kept is bounded
    /// (connections of a provider with placeholders each have their own base).
    /// </summary>
    public HttpMessageInvoker For(Uri apiBase)
    {
        var traced = Activity.Current is { Recorded: true };
        var key = apiBase.AbsoluteUri;
        if (!_byBase.TryGetValue(key, out var guards))
        {
            if (_byBase.Count >= MaxCachedBases)
            {
                // Not kept: only the guard this request goes through.
                return Guard(traced ? _traced : _untraced, apiBase);
            }

            guards = _byBase.GetOrAdd(key, new Guards(Guard(_traced, apiBase), Guard(_untraced, apiBase)));
        }

        return traced ? guards.Traced : guards.Untraced;
    }

    private HttpMessageInvoker Guard(HttpMessageHandler handler, Uri apiBase) =>
        new(new EgressGuardHandler(handler, apiBase, _logger), disposeHandler: false);

    /// <summary>
    /// Drops every kept guard, after the providers changed: a base no provider names any more gets no guard that lets
    /// requests through to it; requests under way keep the invoker they hold.
    /// </summary>
    public void Forget() => _byBase.Clear();

    /// <summary>How many API bases have their guards kept.</summary>
    internal int CachedBases => _byBase.Count;

    public void Dispose()
    {
        _traced.Dispose();
        _untraced.Dispose();
    }

    /// <summary>One API base's guarded invokers, over each handler.</summary>
    private sealed record Guards(HttpMessageInvoker Traced, HttpMessageInvoker Untraced);
}
