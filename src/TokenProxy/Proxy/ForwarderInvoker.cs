using System.Collections.Concurrent;
using TokenProxy.Providers;

namespace TokenProxy.Proxy;

/// <summary>
/// The HTTP client the data plane sends through: YARP's recommended handler settings (no proxy, no
/// redirects — a 3xx goes back to the app untouched, with no token following it — no cookies, no
/// decompression), one connection pool, and in front of it one egress guard per provider, each allowing
/// only that provider's API base.
/// </summary>
internal sealed class ForwarderInvoker : IDisposable
{
    private readonly HttpMessageHandler _primary;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ProviderDefinition, HttpMessageInvoker> _byProvider = new(ReferenceEqualityComparer.Instance);

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

    /// <summary>The invoker whose guard lets requests reach <paramref name="provider"/>'s API base and nothing else.</summary>
    public HttpMessageInvoker For(ProviderDefinition provider) =>
        _byProvider.GetOrAdd(provider, static (p, self) => new HttpMessageInvoker(new EgressGuardHandler(self._primary, p.ApiBaseUrl, self._logger), disposeHandler: false), this);

    public void Dispose() => _primary.Dispose();
}
