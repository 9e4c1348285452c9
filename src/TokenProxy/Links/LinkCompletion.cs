using TokenProxy.Admin;
using TokenProxy.Vault;

namespace TokenProxy.Links;

/// <summary>
/// Where the browser lands once a connect request's link has connected an account. For now a plain "Connected" page:
/// <see cref="CompletedAsync"/> is the one place the client portal changes to start a portal session for the request's
/// workspace and send the browser to <c>/portal/connections/{connectionId}</c>.
/// </summary>
internal sealed class LinkCompletion(ILogger<LinkCompletion> logger) : ILinkCompletion
{
    public Task<IResult> CompletedAsync(HttpContext context, ConnectRequestRow request, string connectionId, CancellationToken cancellationToken)
    {
        Log.LinkCompleted(logger, request.Id, connectionId);
        // 303 to a clean URL: the code and state leave the address bar and the history.
        context.Response.Headers.Location = LinkEndpoints.DonePath;
        return Task.FromResult(Results.StatusCode(StatusCodes.Status303SeeOther));
    }
}
