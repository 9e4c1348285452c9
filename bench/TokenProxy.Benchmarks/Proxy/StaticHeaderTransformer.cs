using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Benchmarks.Proxy;

/// <summary>
/// The bare-YARP baseline, as bench/BareYarp forwards: rewrite the destination and set one static Authorization
/// header. A copy, so the benchmarks do not reference an executable project.
/// </summary>
internal sealed class StaticHeaderTransformer(PathString path, string authorization) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, path, httpContext.Request.QueryString);
        proxyRequest.Headers.Host = null;
        proxyRequest.Headers.Remove("Authorization");
        proxyRequest.Headers.TryAddWithoutValidation("Authorization", authorization);
    }
}
