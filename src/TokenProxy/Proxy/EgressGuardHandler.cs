namespace TokenProxy.Proxy;

/// <summary>
/// The last check before a request leaves the process: its scheme, host, port and path prefix must be
/// those of the API base this handler was built for (one handler per base: a provider's, or a connection's
/// own resolved from its parameters; chosen by the endpoint from the same base the transformer used). Anything else — whatever bug or trick produced it — is
/// dropped before a connection is opened, and logged as a security event. The allowed base is fixed at
/// construction rather than carried on each request, so the check costs no allocation per request.
/// </summary>
internal sealed class EgressGuardHandler(HttpMessageHandler inner, Uri allowedBase, ILogger logger) : DelegatingHandler(inner)
{
    public Uri AllowedBase { get; } = allowedBase;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { } target || !IsWithin(target, AllowedBase))
        {
            Log.EgressBlocked(logger, request.RequestUri?.GetLeftPart(UriPartial.Authority) ?? "(none)", AllowedBase.GetLeftPart(UriPartial.Authority));
            throw new EgressBlockedException();
        }

        return base.SendAsync(request, cancellationToken);
    }

    public static bool IsWithin(Uri target, Uri allowed)
    {
        if (!target.IsAbsoluteUri
            || !string.Equals(target.Scheme, allowed.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(target.IdnHost, allowed.IdnHost, StringComparison.OrdinalIgnoreCase)
            || target.Port != allowed.Port
            || !string.IsNullOrEmpty(target.UserInfo))
        {
            return false;
        }

        // Runs on every request: spans and an early exit for a root base path, so the check allocates nothing
        // (target.AbsolutePath alone costs ~100 B per request, and the API base is "/" for most providers).
        var basePath = allowed.AbsolutePath.AsSpan().TrimEnd('/');
        if (basePath.IsEmpty)
        {
            return true;
        }

        // The base path itself, or anything below it: "/v1" allows "/v1" and "/v1/x", never "/v10".
        var path = target.AbsolutePath.AsSpan();
        return path.StartsWith(basePath, StringComparison.Ordinal) && (path.Length == basePath.Length || path[basePath.Length] == '/');
    }
}

/// <summary>The egress guard refused a destination; the forwarder reports it as a failed request.</summary>
internal sealed class EgressBlockedException : HttpRequestException
{
    public EgressBlockedException()
        : base("The destination is not the provider's configured API; the request was not sent.")
    {
    }
}
