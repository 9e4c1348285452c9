using TokenProxy.Admin;
using TokenProxy.Vault;

namespace TokenProxy.Portal;

/// <summary>
/// Guards <c>/portal</c>: every page and action needs a portal session (<see cref="PortalSessions"/>), and the
/// session's workspace is all it shows. Admin access opens nothing here, and a portal session opens nothing under
/// <c>/admin</c>. State changes also need <c>TokenProxy-Csrf: 1</c>, as on the admin surface: a custom header forces a
/// CORS preflight, which a foreign page cannot pass, so a cross-site form post changes nothing. Answers are never cached.
/// </summary>
internal sealed class PortalAccessFilter : IEndpointFilter
{
    /// <summary>Marks the endpoints reached without a session: the link that starts one, the static assets.</summary>
    public sealed class AnonymousMarker;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        if (http.GetEndpoint()?.Metadata.GetMetadata<AnonymousMarker>() is not null)
        {
            return await next(context);
        }

        // Resolved per request, not when the endpoints are mapped: a host that never serves the portal never opens its store.
        var sessions = http.RequestServices.GetRequiredService<PortalSessions>();
        if (await sessions.AuthenticateAsync(http, http.RequestAborted) is not { } session)
        {
            // A plain page, never the admin login: the person at this browser is a client, not the operator.
            return PortalPage.Message(StatusCodes.Status401Unauthorized, "Open your link again",
                "Your portal session has ended or this browser has none. Open the link your agency sent you again to see your connections.");
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && http.Request.Headers[AdminAccessFilter.CsrfHeader] != "1")
        {
            return AdminProblems.Forbidden($"State-changing portal requests need the header '{AdminAccessFilter.CsrfHeader}: 1'.", "csrf_required");
        }

        http.Items[typeof(PortalSession)] = session;
        return await next(context);
    }

    /// <summary>The session <see cref="InvokeAsync"/> found for this request.</summary>
    public static PortalSession SessionOf(HttpContext context) => (PortalSession)context.Items[typeof(PortalSession)]!;
}
