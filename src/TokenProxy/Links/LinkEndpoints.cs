using TokenProxy.Admin;
using TokenProxy.Portal;
using TokenProxy.Providers;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Links;

/// <summary>
/// <c>/connect/{token}</c>: a connect request's link (docs/architecture.md §9). No admin access is needed, whatever
/// <c>Admin:Token</c> says: the token is the authority, for one connect into one workspace. Unknown, forged and truncated
/// tokens are 404; a used, cancelled or expired link is 410. Rate-limited per client address (<see cref="PortalRateLimit"/>).
/// </summary>
internal static class LinkEndpoints
{
    /// <summary>Where the browser lands once its connect is done.</summary>
    public const string DonePath = "/connect/done";

    private const string LogCategory = "TokenProxy.Links.LinkEndpoints";

    private const string NotFoundMessage = "This link is not valid. Check that it was copied whole, or ask whoever sent it for a new one.";

    public static IEndpointRouteBuilder MapLinks(this IEndpointRouteBuilder endpoints)
    {
        var links = endpoints.MapGroup("/connect").RequireRateLimiting(PortalRateLimit.PolicyName);
        links.MapGet("/done", () => AdminPage.PlainMessage(StatusCodes.Status200OK, "Connected", "Your account is connected. You can close this window."));
        // Opening changes nothing (a mail scanner or a chat's link preview may fetch it first): only the post connects.
        links.MapMethods("/{token}", [HttpMethods.Get, HttpMethods.Head], OpenAsync);
        // Posted from the link's own page only: checked by ForeignPost rather than an antiforgery token.
        links.MapPost("/{token}", ConnectAsync).DisableAntiforgery();
        // Any other method or path under /connect is this group's, never the data plane's: without these, the proxy's
        // catch-all route would answer as if 'connect' were a provider's name.
        links.Map("/{**rest}", NotHere).DisableAntiforgery();
        return endpoints;
    }

    /// <summary>RFC 9110 §15.5.6: 405 names the methods the link answers; a deeper path under <c>/connect</c> is unknown.</summary>
    private static IResult NotHere(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsPost(context.Request.Method))
        {
            return AdminPage.PlainMessage(StatusCodes.Status404NotFound, "Link not found", NotFoundMessage);
        }

        context.Response.Headers.Allow = "GET, HEAD, POST";
        return AdminPage.PlainMessage(StatusCodes.Status405MethodNotAllowed, "Method not allowed", "A link is opened in a browser.");
    }

    private static async Task<IResult> OpenAsync(
        string token, IConnectionStore store, ProviderCatalog providers, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (link, refusal) = await FindAsync(token, store, providers, time, loggers.CreateLogger(LogCategory), cancellationToken);
        if (link is null)
        {
            return refusal!;
        }

        var fields = link.Value.Request.ConnectionId is not null
            ? []
            : link.Value.Provider.GivenParameters.Where(p => !link.Value.Request.Parameters.ContainsKey(p.Name)).Select(p => new ParameterField(p.Name, p.Label, null, null)).ToList();
        return Page(link.Value, fields, StatusCodes.Status200OK);
    }

    private static async Task<IResult> ConnectAsync(
        string token, HttpContext context, IConnectionStore store, ProviderCatalog providers, TimeProvider time, AuthorizationFlow flow, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        if (ForeignPost(context.Request))
        {
            // Login CSRF: another site must not make this browser connect its account into someone else's workspace.
            return AdminPage.PlainMessage(StatusCodes.Status403Forbidden, "Start from the link", "Connecting must be started from the page the link opens.");
        }

        var (link, refusal) = await FindAsync(token, store, providers, time, logger, cancellationToken);
        if (link is null)
        {
            return refusal!;
        }

        var (request, provider, _) = link.Value;
        if (await AdminPage.ReadFormAsync(context.Request, cancellationToken) is not { } form)
        {
            return AdminPage.UnreadableForm(plain: true);
        }

        // The values the person gives, for the given parameters the operator left open; an empty one is asked for again.
        var given = provider.GivenParameters
            .Where(p => !request.Parameters.ContainsKey(p.Name) && form[p.Name].ToString().Length > 0)
            .ToDictionary(p => p.Name, p => form[p.Name].ToString(), StringComparer.Ordinal);
        var result = await flow.StartAsync(provider, request, given, context, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        switch (result)
        {
            case { RedirectUrl: { } url }:
                Log.LinkConnectStarted(logger, request.Id, provider.Name);
                // The link's address must not travel to the provider as a Referer.
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
                return Results.Redirect(url);
            case { Fields: { } fields }:
                return Page(link.Value, fields, result.Status);
            default:
                return AdminPage.PlainMessage(result.Status, result.Title!, result.Message!);
        }
    }

    /// <summary>
    /// A post that did not come from a TokenProxy page: Fetch Metadata (<c>Sec-Fetch-Site</c>) where the browser sends it,
    /// else the <c>Origin</c> every browser sends on a form post, which must be this address's. A post with neither cannot
    /// show where it came from, so it is refused too.
    /// </summary>
    private static bool ForeignPost(HttpRequest request)
    {
        if (request.Headers["Sec-Fetch-Site"] is [{ } site])
        {
            return site is not "same-origin";
        }

        return request.Headers.Origin is not [{ } origin] || !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The outstanding request <paramref name="token"/> opens, or the page that says why there is none. The token is looked
    /// up by its hash; what the page says depends on that request only, never on any other.
    /// </summary>
    private static async Task<((ConnectRequestRow Request, ProviderDefinition Provider, WorkspaceRow Workspace)? Link, IResult? Refusal)> FindAsync(
        string token, IConnectionStore store, ProviderCatalog providers, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var request = ConnectRequestTokens.IsWellFormed(token) ? await store.FindConnectRequestAsync(ConnectRequestTokens.Hash(token), cancellationToken) : null;
        if (request is null || !ConnectRequestTokens.Matches(token, request.TokenHash))
        {
            Log.LinkRefused(logger, "unknown", null);
            return (null, AdminPage.PlainMessage(StatusCodes.Status404NotFound, "Link not found", NotFoundMessage));
        }

        var status = request.StatusAt(time.GetUtcNow());
        var workspace = await store.GetWorkspaceAsync(request.Workspace, cancellationToken);
        var targetGone = request.ConnectionId is { } target && (await store.GetAsync(target, cancellationToken))?.Provider != request.Provider;
        if (status != ConnectRequestStatus.Outstanding || workspace is null || targetGone || !providers.TryGet(request.Provider, out var provider) || !provider.CanConnect)
        {
            // A workspace deleted, a connection to reconnect deleted or a provider no longer configured since the request was
            // made: the link can do nothing. The page names no connection: the person holding the link has no admin access.
            var (title, message) = LinkRefusal.For(status == ConnectRequestStatus.Outstanding ? null : status);
            Log.LinkRefused(logger, status == ConnectRequestStatus.Outstanding ? "unusable" : status.ToWire(), request.Id);
            return (null, AdminPage.PlainMessage(StatusCodes.Status410Gone, title, message));
        }

        return ((request, provider, workspace), null);
    }

    private static IResult Page((ConnectRequestRow Request, ProviderDefinition Provider, WorkspaceRow Workspace) link, IReadOnlyList<ParameterField> fields, int status)
    {
        var (request, provider, workspace) = link;
        var model = new LinkPageModel(workspace.DisplayName, provider.DisplayName, request.Scopes ?? provider.Scopes, request.Message, fields)
        {
            Reconnect = request.ConnectionId is not null,
            EndUser = request.EndUser is { } person ? person.DisplayName ?? person.Id : null,
        };
        // The form's answer redirects to the provider, which CSP form-action governs too.
        return AdminPage.Render<LinkPage, LinkPageModel>(model, status, ConnectEndpoints.AuthorizationOrigins(provider));
    }
}
