using Microsoft.AspNetCore.WebUtilities;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Proxy;

/// <summary>The data plane's own failures (docs/architecture.md §2): each one says what happened and what to do.</summary>
internal static class ProxyProblems
{
    public static ProblemResult UnknownProvider(string provider) => new(
        StatusCodes.Status404NotFound, "unknown_provider", "Unknown provider.",
        (provider.Length == 0 ? "The path names no provider: its first segment is empty (a '//' after the host?), or there is no path (OPTIONS *)." : $"No provider named '{provider}' is configured.")
        + " GET /admin/api/providers lists the configured providers.");

    /// <summary>
    /// Two <c>TokenProxy-Connection</c> lines, or one with no value, name no single connection; falling back to
    /// <c>default</c> would send the request with another account's token.
    /// </summary>
    public static ProblemResult AmbiguousConnection() => new(
        StatusCodes.Status400BadRequest, "ambiguous_connection", "The request does not name one connection.",
        $"Send one {ProxyEndpoint.ConnectionHeader} header with a connection's label or id, or none for the label '{ProxyEndpoint.DefaultLabel}'.");

    /// <summary>
    /// CONNECT would open a tunnel to wherever the app says, with the token; TRACE (and IIS's TRACK) makes the API echo
    /// the request it got, the token in it, back to the app. Every other method is forwarded.
    /// </summary>
    public static bool IsRefused(string method) =>
        HttpMethods.IsConnect(method) || HttpMethods.IsTrace(method) || method.Equals("TRACK", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The headers through which frameworks (Rails, Express's method-override, Google's APIs) let a POST stand for another
    /// method: naming a refused one there would bring about what <see cref="IsRefused"/> keeps out.
    /// </summary>
    /// <remarks>With the underscore spellings, which CGI and PHP read as the same headers; written out so that no request allocates them.</remarks>
    private static readonly (string Read, string Named)[] MethodOverrideHeaders =
    [
        ("X-HTTP-Method-Override", "X-HTTP-Method-Override"), ("X_HTTP_Method_Override", "X-HTTP-Method-Override"),
        ("X-HTTP-Method", "X-HTTP-Method"), ("X_HTTP_Method", "X-HTTP-Method"),
        ("X-Method-Override", "X-Method-Override"), ("X_Method_Override", "X-Method-Override"),
    ];

    /// <summary>405 when a request asks for a refused method, by its method or through a method-override header; else null.</summary>
    public static ProblemResult? RefusedMethod(HttpRequest request)
    {
        if (IsRefused(request.Method))
        {
            return MethodNotAllowed(request.Method);
        }

        foreach (var (read, named) in MethodOverrideHeaders)
        {
            // Each header line, and each item of a list in one ("TRACE, GET": Express's method-override reads the first).
            foreach (var value in request.Headers[read])
            {
                foreach (var method in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (IsRefused(method))
                    {
                        return MethodNotAllowed(method, named);
                    }
                }
            }
        }

        return null;
    }

    public static ProblemResult MethodNotAllowed(string method, string? overrideHeader = null) => new(
        StatusCodes.Status405MethodNotAllowed, "method_not_allowed", "Method not allowed.",
        overrideHeader is null ? $"{ShownMethod(method)} is not forwarded." : $"{ShownMethod(method)} (in {overrideHeader}) is not forwarded.",
        header: KeyValuePair.Create("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"));

    /// <summary>A method is a token (RFC 9110 §9.1), which Kestrel enforces; a long one is cut for the answer.</summary>
    private static string ShownMethod(string method) => method.Length <= 32 ? method : method[..32] + "…";

    /// <summary>The store cannot be used right now: the same answer on the data plane, the admin API and the pages.</summary>
    public static ProblemResult StoreUnavailable { get; } = new(
        StatusCodes.Status503ServiceUnavailable, "store_unavailable", "Token store unavailable.",
        "The proxy's token store cannot be used right now (database unreachable, or its file cannot be written). Try again later.",
        retryAfter: Vault.StoreUnavailableException.RetryAfter);

    public static ProblemResult UpstreamTimeout(string provider, TimeSpan timeout) => new(
        StatusCodes.Status504GatewayTimeout, "upstream_timeout", "The provider's API did not answer in time.",
        $"The request to {provider} got no answer within {timeout.TotalSeconds:0} s (its UpstreamTimeout); it may have reached the API.");

    public static ProblemResult UpstreamUnavailable(string provider) => new(
        StatusCodes.Status502BadGateway, "upstream_unavailable", "The provider's API could not be reached.",
        $"The request to {provider} failed before a response arrived.");

    /// <summary>
    /// A request body could not be read: too slow (Kestrel's minimum data rate), too large (the admin API's bodies; the data
    /// plane's have no limit here), or malformed.
    /// </summary>
    public static ProblemResult UnreadableBody(BadHttpRequestException? cause) => cause?.StatusCode switch
    {
        StatusCodes.Status408RequestTimeout => new(
            StatusCodes.Status408RequestTimeout, "request_timeout", "The request body arrived too slowly.",
            "The server stopped waiting for the rest of the request body. The request was not completed; send it again."),
        StatusCodes.Status413PayloadTooLarge => new(
            StatusCodes.Status413PayloadTooLarge, "request_too_large", "The request body is too large.",
            "The request body is larger than this server accepts. The request was not completed."),
        _ => new(
            StatusCodes.Status400BadRequest, "bad_request_body", "The request body could not be read.",
            "The request body ended early or was malformed. The request was not completed; send it again."),
    };

    /// <summary>The connection's parameters do not resolve to an address the provider allows: nothing was sent.</summary>
    public static ProblemResult InvalidDestination(string provider, string selector) => new(
        StatusCodes.Status502BadGateway, "invalid_destination", "The connection's API address is not allowed.",
        $"The parameters of {provider} connection '{selector}' do not make an address {provider}'s configuration allows; nothing was sent. " +
        "Import or connect it again with valid parameters.");

    /// <summary>A path that could leave the connection's part of an API base with a placeholder in its path (<see cref="ConfinedPath"/>).</summary>
    public static ProblemResult InvalidPath(string provider) => new(
        StatusCodes.Status400BadRequest, "invalid_path", "The request path is not allowed.",
        $"{provider}'s API address has a placeholder in its path, so a request path may hold no encoded '/' or '\\' (%2F, %5C) " +
        "and no dot-segment ('.', '..', '..;', %2E): it could leave the connection's own path. Nothing was sent.");

    public static ProblemResult Unexpected() => new(
        StatusCodes.Status500InternalServerError, "internal_error", "An error occurred while processing your request.",
        "TokenProxy failed unexpectedly; its log has the details.");

    /// <summary>The problem for a failed token lookup: its <see cref="FailureKind"/> is the <c>TokenProxy-Error</c>.</summary>
    public static ProblemResult ForLookup(TokenResult<CachedCredential> lookup, ProviderDefinition definition, string selector, ConnectionScope scope, string publicBaseUrl)
    {
        var provider = definition.Name;
        var connection = lookup.Value?.ConnectionId;
        var connectUrl = ConnectUrl(publicBaseUrl, definition, selector, connection, scope);
        return lookup.Failure?.Kind switch
        {
            FailureKind.NotConnected => new(
                StatusCodes.Status401Unauthorized, "not_connected", "Not connected.",
                $"There is no {provider} connection '{selector}'{Where(scope)}. Connect one at {connectUrl}.",
                new Dictionary<string, object?> { ["provider"] = provider, ["connection"] = selector, ["connect_url"] = connectUrl }),
            // No person can reconnect a client-credentials connection: the grant is run again by a refresh, once the client is fixed.
            FailureKind.Rejected when lookup.Value?.Kind == CredentialKind.ClientCredentials => new(
                StatusCodes.Status401Unauthorized, "reconnect_required", "Reconnection needed.",
                $"{provider} refused the client credentials of connection '{selector}'. Fix the provider's client settings, then refresh the connection at {publicBaseUrl.TrimEnd('/')}/admin/connections/{connection}.",
                new Dictionary<string, object?> { ["provider"] = provider, ["connection_id"] = connection }),
            FailureKind.Rejected => new(
                StatusCodes.Status401Unauthorized, "reconnect_required", "Reconnection needed.",
                lookup.Value?.Undecryptable == true
                    ? $"The stored credentials of {provider} connection '{selector}' cannot be decrypted. Reconnect at {connectUrl}."
                    : $"{provider} rejected the credentials of connection '{selector}'. Reconnect at {connectUrl}.",
                new Dictionary<string, object?> { ["provider"] = provider, ["connection_id"] = connection, ["connect_url"] = connectUrl }),
            FailureKind.Revoked => new(
                StatusCodes.Status401Unauthorized, "revoked", "Connection revoked.",
                $"The {provider} connection '{selector}' was revoked. Reconnect at {connectUrl} to use it again.",
                new Dictionary<string, object?> { ["provider"] = provider, ["connection_id"] = connection, ["connect_url"] = connectUrl }),
            FailureKind.Transient => new(
                StatusCodes.Status503ServiceUnavailable, "refresh_unavailable", "Token refresh unavailable.",
                $"The {provider} token has expired and {provider}'s token endpoint cannot be reached right now. Try again later.",
                new Dictionary<string, object?> { ["provider"] = provider, ["connection_id"] = connection },
                lookup.Failure.RetryAfter ?? TimeSpan.FromSeconds(5)),
            FailureKind.Misconfigured => ProviderMisconfigured(provider, connection, lookup.Failure.RetryAfter),
            FailureKind.KeyMissing => VaultKeyMissing(provider, connection),
            FailureKind.KindNotOffered => new(
                StatusCodes.Status409Conflict, "kind_not_offered", "The connection's kind of credential is not offered.",
                $"The {provider} connection '{selector}' holds {lookup.Value?.Kind.ToWire()} credentials, which {provider}'s configuration (Auth) no longer offers; " +
                "nothing was sent. Add the kind back to Auth, or replace the connection with one of a kind it offers.",
                new Dictionary<string, object?> { ["provider"] = provider, ["connection_id"] = connection }),
            _ => throw new ArgumentOutOfRangeException(nameof(lookup), lookup.Failure?.Kind, "Not a failure a request can have."),
        };
    }

    /// <summary>
    /// The connection is sealed with a vault key this instance was not given: the operator gives every instance on the
    /// store the same keys; the connection stays as it is, and other instances that hold the key serve it meanwhile.
    /// </summary>
    public static ProblemResult VaultKeyMissing(string provider, string? connection) => new(
        StatusCodes.Status503ServiceUnavailable, "vault_key_missing", "Vault key missing.",
        $"The {provider} connection is sealed with a vault key this TokenProxy instance does not hold. Give every instance that " +
        "shares the store the same vault keys (TokenProxy:Vault); the connection is kept as it is.",
        new Dictionary<string, object?> { ["provider"] = provider, ["connection_id"] = connection },
        TimeSpan.FromSeconds(30));

    /// <summary>
    /// The provider refused every configured client secret: the operator fixes the provider's ClientSecrets (or the secret
    /// at the provider); the connection stays as it is and works again then, with no reconnect.
    /// </summary>
    public static ProblemResult ProviderMisconfigured(string provider, string? connection, TimeSpan? retryAfter) => new(
        StatusCodes.Status503ServiceUnavailable, "provider_misconfigured", "Provider misconfigured.",
        $"{provider} refused every configured client secret, so no new token can be had. The connection is kept and works again once " +
        $"TokenProxy:Providers:{provider}:ClientSecrets holds a secret {provider} accepts. Try again later.",
        new Dictionary<string, object?> { ["provider"] = provider, ["connection_id"] = connection },
        retryAfter ?? TimeSpan.FromSeconds(30));

    /// <summary>The scope a connection was looked for in, as words; nothing for none.</summary>
    private static string Where(ConnectionScope scope) => (scope.Workspace, scope.EndUser) switch
    {
        (null, null) => string.Empty,
        ({ } workspace, null) => $" in workspace '{workspace}'",
        (null, { } endUser) => $" for end user '{endUser}'",
        var (workspace, endUser) => $" in workspace '{workspace}' for end user '{endUser}'",
    };

    /// <summary>
    /// Where a person reconnects <paramref name="connectionId"/> asking for <paramref name="scopes"/> (the granted and the
    /// required ones, after an API's insufficient_scope).
    /// </summary>
    public static string ReconnectUrl(string publicBaseUrl, ProviderDefinition provider, string connectionId, IReadOnlyList<string> scopes) =>
        QueryHelpers.AddQueryString($"{publicBaseUrl.TrimEnd('/')}{provider.ConnectPath}",
            new Dictionary<string, string?> { ["connection"] = connectionId, ["scopes"] = string.Join(' ', provider.ReconnectScopes(scopes, [])) });

    /// <summary>
    /// Where the connection is made: a reconnect by id, or a new one with its label, workspace and end user; for a provider
    /// whose connections are not made in the browser, the providers page's form for them, filled with the same three.
    /// </summary>
    private static string ConnectUrl(string publicBaseUrl, ProviderDefinition provider, string selector, string? connectionId, ConnectionScope scope)
    {
        var query = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (connectionId is not null && provider.CanConnect)
        {
            query["connection"] = connectionId;
        }
        else
        {
            query["label"] = selector == ProxyEndpoint.DefaultLabel ? null : selector;
            query["workspace"] = scope.Workspace;
            query["endUser"] = scope.EndUser;
        }

        return QueryHelpers.AddQueryString($"{publicBaseUrl.TrimEnd('/')}{provider.ConnectPath}", query.Where(q => q.Value is not null));
    }
}
