using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Proxy;

/// <summary>
/// The socket handler under the forwarder, with YARP's recommended settings: no proxy, no redirects (a 3xx goes
/// back to the app untouched, with no token following it), no cookies, no decompression. The bare-YARP baseline
/// of the load comparison compiles this file too, so both sides send through the same client.
/// </summary>
internal static class ForwarderHandler
{
    public static SocketsHttpHandler Create() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    };
}
