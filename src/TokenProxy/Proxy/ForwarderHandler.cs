using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Proxy;

/// <summary>
/// The socket handlers under the forwarder, with YARP's recommended settings: no proxy, no redirects (a 3xx goes
/// back to the app untouched, with no token following it), no cookies, no decompression. The bare-YARP baseline
/// of the load comparison compiles this file too, so both sides send through the same client.
/// </summary>
internal static class ForwarderHandler
{
    /// <summary>
    /// For a request whose trace is recorded: HttpClient starts its client span and sends the proxy's trace context
    /// in place of the one the app sent (YARP's propagator), as YARP does by default.
    /// </summary>
    public static SocketsHttpHandler Create() => Create(new ReverseProxyPropagator(DistributedContextPropagator.Current));

    /// <summary>
    /// For a request whose trace is not recorded, or when nothing traces: without a propagator HttpClient adds no
    /// diagnostics stage, and the trace context the app sent, if any, reaches the API unchanged. That stage would cost
    /// every unsampled request about 1 KB and 2 µs while anything listens for spans, for a client span the sampler
    /// drops anyway (docs/architecture.md §1, bench/results/otlp-cost.md).
    /// </summary>
    public static SocketsHttpHandler CreateUntraced() => Create(propagator: null);

    private static SocketsHttpHandler Create(DistributedContextPropagator? propagator) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        ActivityHeadersPropagator = propagator,
    };
}
