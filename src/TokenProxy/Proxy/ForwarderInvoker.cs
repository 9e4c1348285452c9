using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Proxy;

/// <summary>
/// The one HTTP client the data plane sends through: YARP's recommended handler settings (no proxy, no
/// redirects — a 3xx goes back to the app untouched, with no token following it — no cookies, no
/// decompression), with the egress guard in front.
/// </summary>
internal sealed class ForwarderInvoker : IDisposable
{
    public ForwarderInvoker(ILogger<ForwarderInvoker> logger)
    {
        var sockets = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        };
        Invoker = new HttpMessageInvoker(new EgressGuardHandler(sockets, logger), disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
