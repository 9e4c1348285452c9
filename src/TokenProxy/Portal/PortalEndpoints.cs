using TokenProxy.Admin;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Portal;

/// <summary>
/// <c>/portal</c>: the pages a workspace's people see, and the two actions they may take on a connection, each through
/// the service the admin API uses. Every id is looked up within the session's workspace only: another workspace's
/// connection, an operator's connection and an id that never existed get the same 404.
/// </summary>
internal static class PortalEndpoints
{
    private static readonly Dictionary<string, (string ContentType, byte[] Content)> Assets = new(StringComparer.Ordinal)
    {
        // The admin pages' stylesheet and script: one look and one refresh and revoke for both surfaces, served here
        // because /admin/assets needs admin access.
        ["portal.css"] = ("text/css; charset=utf-8", AdminPages.Load("admin.css")),
        ["admin.js"] = ("text/javascript; charset=utf-8", AdminPages.Load("admin.js")),
        ["portal.js"] = ("text/javascript; charset=utf-8", AdminPages.Load("portal.js", "Portal")),
        ["icon.svg"] = ("image/svg+xml", AdminPages.Load("icon.svg")),
    };

    public static RouteGroupBuilder MapPortalEndpoints(this RouteGroupBuilder portal)
    {
        var anonymous = new PortalAccessFilter.AnonymousMarker();
        portal.MapGet("/enter/{token}", EnterAsync).WithMetadata(anonymous);
        // A mail system's or chat's link checker asks with HEAD first: told whether the link works, no session started.
        portal.MapMethods("/enter/{token}", [HttpMethods.Head], CheckLinkAsync).WithMetadata(anonymous);
        portal.MapGet("/assets/{name}", Asset).WithMetadata(anonymous);
        portal.MapGet("/", () => Results.Redirect("/portal/connections"));
        portal.MapGet("/connections", ListAsync);
        portal.MapGet("/connections/{id}", DetailAsync);
        portal.MapPost("/connections/{id}/refresh", RefreshAsync);
        portal.MapPost("/connections/{id}/revoke", RevokeAsync);
        portal.MapPost("/connections/{id}/test", TestAsync);
        portal.MapPost("/requests/{id}/connect", ConnectAsync);
        portal.MapPost("/connections/{id}/reconnect", ReconnectAsync);
        // Any other path under /portal is the portal's own 404, not the data plane's answer for a provider "portal".
        portal.Map("/{**rest}", () => NotFoundPage()).WithMetadata(anonymous);
        return portal;
    }

    /// <summary>
    /// A static asset, cached by the browser for an hour: every /portal request counts against the rate limit, and a
    /// person clicking through should spend one request per page, not four.
    /// </summary>
    private static IResult Asset(string name, HttpResponse response)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        response.Headers.CacheControl = "private, max-age=3600";
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    /// <summary>
    /// Opening a portal link: a session for its workspace, then 303 to the connections, so the token leaves the address
    /// bar (and the history entry the person bookmarks). A link works until it expires (docs/architecture.md §10).
    /// </summary>
    private static async Task<IResult> EnterAsync(string token, HttpContext context, PortalSessions sessions, CancellationToken cancellationToken)
    {
        if (await sessions.OpenLinkAsync(token, cancellationToken) is not { } workspace
            || !await sessions.StartAsync(context, workspace, cancellationToken))
        {
            return PortalPage.Message(StatusCodes.Status404NotFound, "This link does not open the portal",
                "It may have expired, or your agency may have ended it. Ask them for a new link.");
        }

        context.Response.Headers.Location = "/portal/connections";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static async Task<IResult> CheckLinkAsync(string token, PortalSessions sessions, CancellationToken cancellationToken) =>
        await sessions.OpenLinkAsync(token, cancellationToken) is null ? Results.NotFound() : Results.Ok();

    private static async Task<IResult> ListAsync(
        HttpContext context, IConnectionStore store, ProviderCatalog providers, IOutstandingRequests requests, ConnectionLapses lapses, CancellationToken cancellationToken)
    {
        var session = PortalAccessFilter.SessionOf(context);
        var workspace = await store.GetWorkspaceAsync(session.Workspace, cancellationToken);
        var connections = (await ConnectionsApi.ListInAsync(store, session.Workspace, null, cancellationToken))
            .Where(r => PortalConnection.IsShown(r, session.Workspace))
            .Select(r => PortalConnection.From(r, providers, lapses))
            .ToList();
        var outstanding = await requests.ListAsync(session.Workspace, cancellationToken);
        return PortalPage.Render<PortalConnectionsPage, PortalConnectionsPageModel>(
            new(workspace?.DisplayName ?? session.Workspace, connections, outstanding));
    }

    private static async Task<IResult> DetailAsync(
        string id, string? done, string? connected, HttpContext context, IConnectionStore store, ProviderCatalog providers, ConnectionLapses lapses,
        CancellationToken cancellationToken)
    {
        var session = PortalAccessFilter.SessionOf(context);
        if (await FindAsync(store, session, id, cancellationToken) is not { } row)
        {
            return NotFoundPage();
        }

        var workspace = await store.GetWorkspaceAsync(session.Workspace, cancellationToken);
        // Only a fixed keyword picks the toast: nothing from the URL is echoed into the page.
        return PortalPage.Render<PortalConnectionPage, PortalConnectionPageModel>(
            new(workspace?.DisplayName ?? session.Workspace, PortalConnection.From(row, providers, lapses), connected == "1" ? "connected" : done));
    }

    private static async Task<IResult> RefreshAsync(
        string id, HttpContext context, IConnectionStore store, TokenRefresher refresher, ProviderCatalog providers, ConnectionLapses lapses,
        ILogger<PortalSessions> logger, CancellationToken cancellationToken)
    {
        var session = PortalAccessFilter.SessionOf(context);
        if (await FindAsync(store, session, id, cancellationToken) is not { } row)
        {
            return NotFound();
        }

        if (!PortalConnection.From(row, providers, lapses).CanRefresh)
        {
            return new ProblemResult(StatusCodes.Status409Conflict, "not_refreshable", "This connection cannot be refreshed.",
                "Contact your agency if this integration needs to be reconnected.");
        }

        var refreshed = await refresher.RefreshAsync(row.Id, RefreshReason.Manual, seenVersion: null, EventTypes.ActorPortal, cancellationToken);
        Log.RefreshRequested(logger, row.Id, session.Workspace, session.Id, refreshed.Succeeded ? "refreshed" : refreshed.Failure.Kind.ToString());
        return refreshed switch
        {
            { Succeeded: true } => TypedResults.Ok(new PortalOutcome("Connection refreshed.")),
            // The provider refused the proxy's own client secret, or this instance lacks a vault key: nothing the person can do,
            // nothing to reconnect.
            { Failure.Kind: FailureKind.Misconfigured } => new ProblemResult(
                StatusCodes.Status503ServiceUnavailable, "provider_misconfigured", "Provider misconfigured.",
                "The connection is fine, but it cannot be refreshed until a setup problem on the service's side is fixed. Try again later.",
                retryAfter: refreshed.Failure.RetryAfter ?? TimeSpan.FromSeconds(30)),
            { Failure.Kind: FailureKind.KeyMissing } => new ProblemResult(
                StatusCodes.Status503ServiceUnavailable, "vault_key_missing", "Vault key missing.",
                "The connection is fine, but this server cannot refresh it until a setup problem on the service's side is fixed. Try again later.",
                retryAfter: TimeSpan.FromSeconds(30)),
            _ => new ProblemResult(StatusCodes.Status502BadGateway, "refresh_failed", "Failed to refresh connection", "You may need to reconnect."),
        };
    }

    /// <summary>The admin API's test, for a connection of the session's workspace only (the same 404 otherwise).</summary>
    private static async Task<IResult> TestAsync(string id, HttpContext context, IConnectionStore store, ConnectionTester tester, CancellationToken cancellationToken)
    {
        var session = PortalAccessFilter.SessionOf(context);
        return await FindAsync(store, session, id, cancellationToken) is { } row
            ? TypedResults.Ok(await tester.TestAsync(row, cancellationToken))
            : NotFound();
    }

    private static async Task<IResult> RevokeAsync(
        string id, HttpContext context, IConnectionStore store, ConnectionRevoker revoker, ILogger<PortalSessions> logger, CancellationToken cancellationToken)
    {
        var session = PortalAccessFilter.SessionOf(context);
        if (await FindAsync(store, session, id, cancellationToken) is not { } row)
        {
            return NotFound();
        }

        if (row.Status == ConnectionStatus.Revoked)
        {
            return AdminProblems.AlreadyRevoked(row.Id);
        }

        if ((await revoker.RevokeAsync(row, EventTypes.ActorPortal, cancellationToken)).Row is null)
        {
            return NotFound();
        }

        Log.ConnectionRevoked(logger, row.Id, session.Workspace, session.Id);
        return TypedResults.Ok(new PortalOutcome("Connection revoked."));
    }

    /// <summary>The Connect button of the outstanding requests panel: the address the page sends the browser to next.</summary>
    private static async Task<IResult> ConnectAsync(string id, HttpContext context, IOutstandingRequests requests, CancellationToken cancellationToken)
    {
        var session = PortalAccessFilter.SessionOf(context);
        return await requests.StartConnectAsync(context, session.Workspace, id, cancellationToken) is { } location
            ? TypedResults.Ok(new PortalNext(location))
            : NotFound();
    }

    /// <summary>The Reconnect button of a connection in error or revoked: the address the page sends the browser to next.</summary>
    private static async Task<IResult> ReconnectAsync(string id, HttpContext context, IOutstandingRequests requests, CancellationToken cancellationToken)
    {
        var session = PortalAccessFilter.SessionOf(context);
        return await requests.StartReconnectAsync(context, session.Workspace, id, cancellationToken) is { } location
            ? TypedResults.Ok(new PortalNext(location))
            : NotFound();
    }

    /// <summary>The connection with that id if the session's people may see it; null otherwise, whatever the reason.</summary>
    private static async Task<ConnectionRow?> FindAsync(IConnectionStore store, Vault.PortalSession session, string id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } row && PortalConnection.IsShown(row, session.Workspace) ? row : null;

    private static ProblemResult NotFound() =>
        new(StatusCodes.Status404NotFound, "not_found", "Not found.", "There is nothing at this address in your portal.");

    private static IResult NotFoundPage() =>
        PortalPage.Message(StatusCodes.Status404NotFound, "Not found", "There is nothing at this address in your portal. Your connections are listed on the connections page.");
}
