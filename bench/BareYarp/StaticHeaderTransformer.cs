using Yarp.ReverseProxy.Forwarder;

namespace BareYarp;

/// <summary>The least a token-attaching proxy must do: rewrite the destination and set one Authorization header.</summary>
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
