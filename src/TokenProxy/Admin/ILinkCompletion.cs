using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// Where the browser goes once a connect request's link has connected an account (docs/architecture.md §9). The callback
/// is the admin surface's; what the person sees next is not, so it is asked here.
/// </summary>
internal interface ILinkCompletion
{
    /// <summary>The answer to the browser whose connect through <paramref name="request"/>'s link stored <paramref name="connectionId"/>.</summary>
    Task<IResult> CompletedAsync(HttpContext context, ConnectRequestRow request, string connectionId, CancellationToken cancellationToken);
}
