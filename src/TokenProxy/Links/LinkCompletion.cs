using TokenProxy.Admin;
using TokenProxy.Portal;
using TokenProxy.Vault;

namespace TokenProxy.Links;

/// <summary>
/// Where the browser lands once a connect request's link has connected an account: a portal session for the request's
/// workspace starts, and the person sees the new connection in the portal (docs/architecture.md §10). A workspace deleted
/// meanwhile gets no session: the plain "Connected" page.
/// </summary>
internal sealed class LinkCompletion(PortalSessions sessions, ILogger<LinkCompletion> logger) : ILinkCompletion
{
    public async Task<IResult> CompletedAsync(HttpContext context, ConnectRequestRow request, string connectionId, CancellationToken cancellationToken)
    {
        Log.LinkCompleted(logger, request.Id, connectionId);
        // 303 to a clean URL: the code and state leave the address bar and the history.
        context.Response.Headers.Location = await sessions.StartAsync(context, request.Workspace, cancellationToken)
            ? $"/portal/connections/{Uri.EscapeDataString(connectionId)}?connected=1"
            : LinkEndpoints.DonePath;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }
}
