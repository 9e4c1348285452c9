using TokenProxy.Providers;
using TokenProxy.Tokens;

namespace TokenProxy.Admin;

/// <summary><c>/admin/connect/{provider}</c> and <c>/admin/callback/{provider}</c>: the browser side of connecting an account.</summary>
internal static class ConnectEndpoints
{
    public static RouteGroupBuilder MapConnectEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/connect/{provider}", ConnectAsync);
        // The provider redirects the browser back here from another site, so the SameSite=Strict admin cookie
        // does not come along. The callback needs no admin credentials: it only completes an authorization an
        // admin started, proven by the single-use state and the browser-bound cookie set at connect time.
        admin.MapGet("/callback/{provider}", CallbackAsync).WithMetadata(new AdminLogin.AnonymousMarker());
        return admin;
    }

    private static async Task<IResult> ConnectAsync(
        string provider, string? label, string? connection, string? scopes, HttpContext context, ProviderCatalog providers, AuthorizationFlow flow, CancellationToken cancellationToken)
    {
        if (!providers.TryGet(provider, out var definition))
        {
            return AdminPage.Message(StatusCodes.Status404NotFound, "Unknown provider", $"No provider named '{provider}' is configured.");
        }

        // A page on another site must not be able to start a connect in the person's browser (login CSRF).
        // Same-site is not enough: every other port on localhost is the same site.
        if (context.Request.Headers["Sec-Fetch-Site"] is [{ } site] && site is not ("same-origin" or "none"))
        {
            return AdminPage.Message(StatusCodes.Status403Forbidden, "Start from TokenProxy", "Connecting must be started from the TokenProxy connections page or by opening its link directly.");
        }

        var result = await flow.StartAsync(definition, label, connection, scopes, context, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return result.RedirectUrl is { } url ? Results.Redirect(url) : AdminPage.Message(result.Status, result.Title!, result.Message!);
    }

    private static async Task<IResult> CallbackAsync(string provider, HttpContext context, ProviderCatalog providers, AuthorizationFlow flow, CancellationToken cancellationToken)
    {
        // RFC 9700 §4.2.4: the code must not leak through Referer or caches.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        if (!providers.TryGet(provider, out var definition))
        {
            return AdminPage.Message(StatusCodes.Status404NotFound, "Unknown provider", $"No provider named '{provider}' is configured.");
        }

        var result = await flow.CompleteAsync(definition, context.Request.Query, context, cancellationToken);
        if (result.ConnectionId is { } id)
        {
            // 303 to a clean URL: the code and state leave the address bar and the history.
            context.Response.Headers.Location = $"/admin/connections/{id}?connected=1";
            return Results.StatusCode(StatusCodes.Status303SeeOther);
        }

        return AdminPage.Message(result.Status, result.Title!, result.Message!);
    }
}
