using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Tokens;
using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Proxy;

/// <summary>
/// Shapes one forwarded request: the destination is rebuilt from the provider's configured API base and
/// the path after <c>/{provider}</c> (never from anything the app sent about hosts), the app's
/// credentials and control headers are removed, and the connection's token is set. On an upstream 401
/// it asks for a fresh token, and either holds the 401 back so the request can be replayed, or
/// passes it on.
/// </summary>
internal sealed class TokenTransformer(ProviderDefinition provider, CachedCredential credential, TokenService tokens, bool replayable, string publicBaseUrl) : HttpTransformer
{
    /// <summary>Response header telling the app its 401 was answered with a refresh: sending the request again will use the new token.</summary>
    public const string RetryHeader = "TokenProxy-Retry";

    /// <summary>Response header on an API's insufficient_scope answer: where a person reconnects to grant the scopes it needs.</summary>
    public const string ReconnectUrlHeader = "TokenProxy-Reconnect-Url";


    /// <summary>
    /// How many times one request is replayed. The second is for a replay refused because its token, new when chosen,
    /// ended while the request waited (short tokens, a saturated host) and a newer one is there: docs/architecture.md §5.
    /// </summary>
    private const int MaxReplays = 2;

    // One instance per proxied request, so it holds only what the request needs: the rarely set failure is kept
    // boxed (one reference) rather than as a 40-byte nullable struct, and the path is read from the request.
    private object? _failure;
    private byte _replays;

    public ProviderDefinition Provider { get; } = provider;

    public CachedCredential Credential { get; private set; } = credential;

    /// <summary>True when the upstream response was held back: the caller replays with <see cref="Credential"/> or answers <see cref="Failure"/>.</summary>
    public bool Intercepted { get; private set; }

    /// <summary>The provider's API answered 401, to the first send or to a replay.</summary>
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
        if (proxyResponse is not null)
        {
            HeaderHygiene.CleanResponse(proxyResponse);
        }

        // RFC 6750 §3.1: insufficient_scope (a 403, or a 401 that says so) means the token lacks a scope, which a refresh of
        // the same grant cannot add: the answer goes to the app as it came, with where to reconnect for broader access.
        if (proxyResponse is { StatusCode: System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.Unauthorized } && !Credential.Kind.IsStatic()
            && OAuth.ScopeChallenge.Read(proxyResponse, Provider) is { } challenge)
        {
            return await StepUpAsync(httpContext, proxyResponse, challenge, cancellationToken);
        }

        // RFC 6750 §3.1: 401 means the token was not accepted; 403 (insufficient scope) never triggers a refresh.
        if (proxyResponse?.StatusCode != System.Net.HttpStatusCode.Unauthorized)
        {
            if (proxyResponse is not null)
            {
                // Anything but 401 means the token was accepted: after a 401-driven refresh, its next 401 is news again.
                await tokens.NoteAcceptedAsync(Credential, cancellationToken);
            }

            return await CopyResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        UpstreamUnauthorized = true;
        // A replay's 401 goes through the same rules as the first (the loop guard holds back a token a 401-driven refresh
        // produced and the API never accepted), so a request is replayed again only with a token newer than the one
        // just refused: one another refresh stored meanwhile, or the renewal of one that was refused at its expiry.
        if (Credential.Kind.IsStatic() || _replays == MaxReplays)
        {
            // An API key or Basic credentials cannot be refreshed: the app gets the API's 401 as is, the connection stays as it is.
            return await CopyResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        var recovered = await tokens.RecoverFromUnauthorizedAsync(Provider, Credential, cancellationToken);
        if (recovered is not { } lookup)
        {
            return await CopyResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        if (lookup.Succeeded && !replayable)
        {
            // The body streamed and is gone: the app gets the 401, and its next request the new token.
            var copied = await CopyResponseAsync(httpContext, proxyResponse, cancellationToken);
            httpContext.Response.Headers[RetryHeader] = "token-refreshed";
            return copied;
        }

        Intercepted = true;
        if (lookup.Succeeded)
        {
            Credential = lookup.Value;
            _replays++;
        }
        else
        {
            _failure = lookup;
        }

        return false;
    }

    /// <summary>Before a replay: the held-back answer is dealt with, the next one is the replay's.</summary>
    public void Replaying() => Intercepted = false;

    /// <summary>
    /// The API's insufficient_scope answer, passed on untouched; for a connection a person can reconnect, it is recorded on
    /// the connection and the app is told where to reconnect asking for the granted and the required scopes.
    /// </summary>
    private async ValueTask<bool> StepUpAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, OAuth.ScopeChallenge challenge, CancellationToken cancellationToken)
    {
        // The API knew the token (it named what it lacks): a token a 401-driven refresh produced counts as accepted.
        await tokens.NoteAcceptedAsync(Credential, cancellationToken);
        var scopes = Credential.Kind.IsReconnectable() && Provider.CanConnect
            ? await tokens.NoteScopesRequiredAsync(Credential, challenge, cancellationToken)
            : null;
        var copied = await CopyResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (scopes is not null)
        {
            httpContext.Response.Headers[ReconnectUrlHeader] = ProxyProblems.ReconnectUrl(publicBaseUrl, Provider, Credential.ConnectionId, scopes);
        }

        return copied;
    }

    /// <summary>
    /// The API's response headers as the app gets them: without the connection's API key when the query carried it, and
    /// never able to act as this origin in a browser (<see cref="Confine"/>).
    /// </summary>
    private async ValueTask<bool> CopyResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copied = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null)
        {
            Confine(httpContext.Response);
        }

        if (Credential.QueryName is { } name)
        {
            ApiKeyQuery.RemoveFrom(httpContext.Response.Headers, name, Credential.HeaderValue!);
        }

        return copied;
    }

    /// <summary>
    /// The proxy's origin is the admin pages' and API's: a document an API sends (a user's uploaded file, an error page
    /// echoing input) opened in a browser would otherwise run its script as that origin, read the admin API and point a
    /// provider elsewhere. A sandboxed document has an origin of its own and runs no script (CSP3 <c>sandbox</c>; added to
    /// any policy the API sent, both apply), and no response is sniffed into HTML (<c>nosniff</c>). Apps that are not
    /// browsers ignore both. JSON, most of what APIs answer, is left as it is: a browser neither renders it as a document
    /// nor sniffs a declared JSON type into one (WHATWG MIME Sniffing §7), and the two fields would cost each such answer
    /// a dictionary of its own (Kestrel keeps neither among its known response fields).
    /// </summary>
    private static void Confine(HttpResponse response)
    {
        if (IsJson(response.ContentType))
        {
            return;
        }

        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.Append(Microsoft.Net.Http.Headers.HeaderNames.ContentSecurityPolicy, "sandbox");
    }

    /// <summary><c>application/json</c> or a <c>+json</c> type (<c>application/problem+json</c>), parameters aside.</summary>
    private static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var type = contentType.AsSpan();
        var end = type.IndexOf(';');
        type = (end < 0 ? type : type[..end]).Trim();
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
