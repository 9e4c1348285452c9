using TokenProxy.Providers;
using TokenProxy.Tokens;
using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Proxy;

/// <summary>
/// Shapes one forwarded request: the destination is rebuilt from the provider's configured API base and
/// the path after <c>/{provider}</c> (never from anything the app sent about hosts), the app's
/// credentials and control headers are removed, and the connection's token is set.
/// </summary>
internal sealed class TokenTransformer(ProviderDefinition provider, CachedCredential credential, PathString path) : HttpTransformer
{
    public CachedCredential Credential { get; set; } = credential;

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, path, httpContext.Request.QueryString);
        // The Host header comes from the destination URI, not from the app (RFC 9110 §7.2).
        proxyRequest.Headers.Host = null;
        HeaderHygiene.Clean(proxyRequest, httpContext.Request.Headers.Connection, provider.TokenHeader.Name);
        proxyRequest.Headers.TryAddWithoutValidation(provider.TokenHeader.Name, Credential.HeaderValue);
        proxyRequest.Options.Set(EgressGuardHandler.AllowedBase, provider.ApiBaseUrl);
    }
}
