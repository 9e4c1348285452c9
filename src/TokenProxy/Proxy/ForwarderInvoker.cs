using System.Collections.Concurrent;
using TokenProxy.Providers;

namespace TokenProxy.Proxy;

/// <summary>
/// The HTTP client the data plane sends through: YARP's recommended handler settings (no proxy, no
/// redirects — a 3xx goes back to the app untouched, with no token following it — no cookies, no
/// decompression), one connection pool, and in front of it one egress guard per API base, each allowing
/// only that base: a provider's, or a connection's own when the provider's base has placeholders.
/// </summary>
internal sealed class ForwarderInvoker : IDisposable
{
    /// <summary>Guards kept for reuse; past this many distinct bases, a guard is made for the request and not kept.</summary>
    internal const int MaxCachedBases = 1024;

    private readonly HttpMessageHandler _primary;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _byBase = new(StringComparer.Ordinal);

    public ForwarderInvoker(ILogger<ForwarderInvoker> logger)
        : this(ForwarderHandler.Create(), logger)
    {
    }

    /// <summary>With another primary handler (benchmarks answer in-process); it is disposed with this.</summary>
    internal ForwarderInvoker(HttpMessageHandler primary, ILogger logger)
    {
        _primary = primary;
        _logger = logger;
    }

    /// <summary>The invoker whose guard lets requests reach <paramref name="provider"/>'s fixed API base and nothing else.</summary>
    public HttpMessageInvoker For(ProviderDefinition provider) => For(provider.ApiBaseUrl!);

    /// <summary>
    /// The invoker whose guard lets requests reach <paramref name="apiBase"/> and nothing else. Looked up by the base's
    /// string, which <see cref="Uri"/> keeps once computed, so a lookup allocates nothing; the number kept is bounded
    /// (connections of a provider with placeholders each have their own base).
    /// </summary>
    public HttpMessageInvoker For(Uri apiBase)
    {
        var key = apiBase.AbsoluteUri;
        if (_byBase.TryGetValue(key, out var invoker))
        {
            return invoker;
        }

        invoker = new HttpMessageInvoker(new EgressGuardHandler(_primary, apiBase, _logger), disposeHandler: false);
        return _byBase.Count < MaxCachedBases ? _byBase.GetOrAdd(key, invoker) : invoker;
    }

    /// <summary>
    /// Drops every kept guard, after the providers changed: a base no provider names any more gets no guard that lets
    /// requests through to it; requests under way keep the invoker they hold.
    /// </summary>
    public void Forget() => _byBase.Clear();

    /// <summary>How many guarded invokers are kept.</summary>
    internal int CachedBases => _byBase.Count;

    public void Dispose() => _primary.Dispose();
}
