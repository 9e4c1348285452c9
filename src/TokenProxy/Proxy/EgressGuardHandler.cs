namespace TokenProxy.Proxy;

/// <summary>
/// The last check before a request leaves the process: its scheme, host, port and path prefix must be
/// those of the provider API the transformer selected. Anything else — whatever bug or trick produced
/// it — is dropped before a connection is opened, and logged as a security event.
/// </summary>
internal sealed class EgressGuardHandler(HttpMessageHandler inner, ILogger logger) : DelegatingHandler(inner)
{
    /// <summary>The provider API base a request is allowed to reach; set by the transformer.</summary>
    public static readonly HttpRequestOptionsKey<Uri> AllowedBase = new("TokenProxy.AllowedBase");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(AllowedBase, out var allowed) || request.RequestUri is not { } target || !IsWithin(target, allowed))
        {
            Log.EgressBlocked(logger, request.RequestUri?.GetLeftPart(UriPartial.Authority) ?? "(none)", allowed?.GetLeftPart(UriPartial.Authority) ?? "(none)");
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

        var basePath = allowed.AbsolutePath.TrimEnd('/');
        var path = target.AbsolutePath;
        return basePath.Length == 0
            || path.Equals(basePath, StringComparison.Ordinal)
            || path.StartsWith(basePath + "/", StringComparison.Ordinal);
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
