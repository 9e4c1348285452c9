using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Tokens;
using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Proxy;

/// <summary>
/// Shapes one forwarded request: the destination is rebuilt from the provider's configured API base and
/// the path after <c>/{provider}</c> (never from anything the app sent about hosts), the app's
/// credentials and control headers are removed, and the connection's token is set. On an upstream 401
/// it asks for a fresh token once, and either holds the 401 back so the request can be replayed, or
/// passes it on.
/// </summary>
internal sealed class TokenTransformer(ProviderDefinition provider, CachedCredential credential, TokenService tokens, bool replayable) : HttpTransformer
{
    /// <summary>Response header telling the app its 401 was answered with a refresh: sending the request again will use the new token.</summary>
    public const string RetryHeader = "TokenProxy-Retry";


    // One instance per proxied request, so it holds only what the request needs: the rarely set failure is kept
    // boxed (one reference) rather than as a 40-byte nullable struct, and the path is read from the request.
    private object? _failure;

    public ProviderDefinition Provider { get; } = provider;

    public CachedCredential Credential { get; private set; } = credential;

    /// <summary>True when the upstream response was held back: the caller replays with <see cref="Credential"/> or answers <see cref="Failure"/>.</summary>
    public bool Intercepted { get; private set; }

    /// <summary>The provider's API answered 401 (the first one asks for a fresh token; a replay's is passed on).</summary>
    public bool UpstreamUnauthorized { get; private set; }

    /// <summary>Why no new token could be had after a 401, when the response was held back for it.</summary>
    public TokenResult<CachedCredential>? Failure => (TokenResult<CachedCredential>?)_failure;

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        // Everything after "/{provider}" (the route matched the provider's name, so it has its length), as Kestrel
        // decoded and normalized it ("%2F" stays escaped).
        var path = httpContext.Request.Path.Value!.Substring(Provider.Name.Length + 1);
        var query = Credential.QueryName is { } name ? ApiKeyQuery.With(httpContext.Request.QueryString, name, Credential.HeaderValue!) : httpContext.Request.QueryString;
        proxyRequest.RequestUri = DestinationAddress.Make(destinationPrefix, path, query);
        // The Host header comes from the destination URI, not from the app (RFC 9110 §7.2).
        proxyRequest.Headers.Host = null;
        HeaderHygiene.Clean(proxyRequest, httpContext.Request.Headers.Connection, Credential.HeaderName);
        // Indexed, not foreach: an interface enumerator would be allocated per request on this hot path.
        var headers = Credential.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            // The provider's required headers (Notion-Version): the app's own, if it sent one, wins.
            var (header, value) = headers[i];
            if (!proxyRequest.Headers.NonValidated.Contains(header))
            {
                proxyRequest.Headers.TryAddWithoutValidation(header, value);
            }
        }

        if (Credential.QueryName is null)
        {
            proxyRequest.Headers.TryAddWithoutValidation(Credential.HeaderName, Credential.HeaderValue);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        // RFC 6750 §3.1: 401 means the token was not accepted; 403 (insufficient scope) never triggers a refresh.
        if (proxyResponse?.StatusCode != System.Net.HttpStatusCode.Unauthorized || UpstreamUnauthorized)
        {
            if (proxyResponse is not null && proxyResponse.StatusCode != System.Net.HttpStatusCode.Unauthorized)
            {
                // Anything but 401 means the token was accepted: after a 401-driven refresh, its next 401 is news again.
                await tokens.NoteAcceptedAsync(Credential, cancellationToken);
            }

            return await CopyResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        UpstreamUnauthorized = true;
        if (Credential.Kind.IsStatic())
        {
            // An API key or Basic credentials cannot be refreshed: the app gets the API's 401 as is, the connection stays as it is.
            return await CopyResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        var recovered = await tokens.RecoverFromUnauthorizedAsync(Provider, Credential, cancellationToken);
        if (recovered is not { } lookup)
        {
            return await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        if (lookup.Succeeded && !replayable)
        {
            // The body streamed and is gone: the app gets the 401, and its next request the new token.
            var copied = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            httpContext.Response.Headers[RetryHeader] = "token-refreshed";
            return copied;
        }

        Intercepted = true;
        if (lookup.Succeeded)
        {
            Credential = lookup.Value;
        }
        else
        {
            _failure = lookup;
        }

        return false;
    }

    /// <summary>The API's response headers as the app gets them: without the connection's API key when the query carried it.</summary>
    private async ValueTask<bool> CopyResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copied = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (Credential.QueryName is { } name)
        {
            ApiKeyQuery.RemoveFrom(httpContext.Response.Headers, name, Credential.HeaderValue!);
        }

        return copied;
    }
}
