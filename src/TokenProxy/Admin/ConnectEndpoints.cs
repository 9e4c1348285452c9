using TokenProxy.Providers;
using TokenProxy.Tokens;
using TokenProxy.Vault;

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
        // The pick after a discovery that offered several values: like the callback, proven by a single-use key and a
        // browser-bound cookie rather than admin credentials; posted only from TokenProxy's own pick page.
        admin.MapPost("/callback/{provider}/pick", PickAsync).WithMetadata(new AdminLogin.AnonymousMarker()).DisableAntiforgery();
        return admin;
    }

    private static async Task<IResult> ConnectAsync(
        string provider, string? label, string? connection, string? scopes, string? workspace, string? endUser, HttpContext context,
        ProviderCatalog providers, AuthorizationFlow flow, IConnectionStore store, CancellationToken cancellationToken)
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

        if (await ScopeProblemAsync(workspace, endUser, store, cancellationToken) is { } problem)
        {
            return problem;
        }

        // The values a person gives (?subdomain=acme), one per declared parameter; a repeated one arrives joined by ','
        // and is refused by the universal rule. An empty one (?subdomain=, a form sent blank) is no value: it is asked for.
        var given = definition.GivenParameters
            .Where(p => context.Request.Query[p.Name].ToString().Length > 0)
            .ToDictionary(p => p.Name, p => context.Request.Query[p.Name].ToString(), StringComparer.Ordinal);
        var result = await flow.StartAsync(definition, label, connection, new ConnectionScope(workspace, endUser), scopes, given, context, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return result switch
        {
            { RedirectUrl: { } url } => Results.Redirect(url),
            { Fields: { } fields } => AdminPage.Render<ConnectFormPage, ConnectForm>(
                new ConnectForm(definition.Name, definition.DisplayName, label, connection, scopes, fields) { Workspace = workspace, EndUser = endUser }, result.Status, AuthorizationOrigins(definition)),
            _ => AdminPage.Message(result.Status, result.Title!, result.Message!),
        };
    }

    /// <summary>Where the connect form's answer redirects to: the authorization endpoint's possible origins (the issuer's when discovered).</summary>
    public static IEnumerable<string> AuthorizationOrigins(ProviderDefinition provider) =>
        provider.UrlTemplates.TryGetValue(ProviderCatalog.AuthorizationUrlKey, out var template) ? template.OriginSources()
        : provider.AuthorizationUrl is { } url ? [url.GetLeftPart(UriPartial.Authority)]
        : provider.Issuer is { } issuer ? [new Uri(issuer).GetLeftPart(UriPartial.Authority)]
        : [];

    private static async Task<IResult> PickAsync(string provider, HttpContext context, ProviderCatalog providers, AuthorizationFlow flow, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!providers.TryGet(provider, out var definition))
        {
            return AdminPage.Message(StatusCodes.Status404NotFound, "Unknown provider", $"No provider named '{provider}' is configured.");
        }

        // Same origin only: the pick page is TokenProxy's own.
        if (context.Request.Headers["Sec-Fetch-Site"] is [{ } site] && site is not "same-origin")
        {
            return AdminPage.Message(StatusCodes.Status403Forbidden, "Choose on TokenProxy", "The choice must be made on the TokenProxy page that offered it.");
        }

        if (await AdminPage.ReadFormAsync(context.Request, cancellationToken) is not { } form)
        {
            return AdminPage.UnreadableForm();
        }

        var result = await flow.CompletePickAsync(definition, form["pick"].ToString(), form.TryGetValue("value", out var value) ? value.ToString() : null, context, cancellationToken);
        return await FinishedAsync(context, result, cancellationToken);
    }

    /// <summary>A new connection lands in an existing workspace only (a typo must not strand it), under a valid end user id.</summary>
    private static async Task<IResult?> ScopeProblemAsync(string? workspace, string? endUser, IConnectionStore store, CancellationToken cancellationToken)
    {
        if (workspace is not null && (!ScopeNames.IsWorkspace(workspace) || await store.GetWorkspaceAsync(workspace, cancellationToken) is null))
        {
            // The value is not echoed: it came in the URL.
            return AdminPage.Message(StatusCodes.Status404NotFound, "Unknown workspace", "There is no such workspace. Create it first (POST /admin/api/workspaces), or check the link.");
        }

        return endUser is not null && !ScopeNames.IsEndUser(endUser)
            ? AdminPage.Message(StatusCodes.Status400BadRequest, "Invalid end user", ScopeNames.EndUserRule)
            : null;
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
        return result.Pick is { } pick
            ? AdminPage.Render<PickPage, PickForm>(new PickForm(definition.Name, definition.DisplayName, pick) { Link = result.ConnectRequestId is not null })
            : await FinishedAsync(context, result, cancellationToken);
    }

    private static async Task<IResult> FinishedAsync(HttpContext context, AuthorizationResult result, CancellationToken cancellationToken)
    {
        // A connect started from a connect request's link: the person may have no admin access, so neither its outcome
        // nor where the browser goes next is an admin page.
        if (result.ConnectRequestId is { } requestId)
        {
            if (result.ConnectionId is not { } connected)
            {
                return AdminPage.PlainMessage(result.Status, result.Title!, result.Message!);
            }

            // Requests are never deleted: the one just claimed is there.
            var request = await context.RequestServices.GetRequiredService<IConnectionStore>().GetConnectRequestAsync(requestId, cancellationToken)
                ?? throw new InvalidOperationException($"Connect request {requestId} vanished after it was completed.");
            return await context.RequestServices.GetRequiredService<ILinkCompletion>().CompletedAsync(context, request, connected, cancellationToken);
        }

        if (result.Unattributed)
        {
            // The flow cannot be told: it may be a person's from a link, who must not be shown the admin's pages.
            return AdminPage.PlainMessage(result.Status, result.Title!, result.Message!);
        }

        if (result.ConnectionId is { } id)
        {
            // 303 to a clean URL: the code and state (or the pick key) leave the address bar and the history.
            context.Response.Headers.Location = $"/admin/connections/{id}?connected=1";
            return Results.StatusCode(StatusCodes.Status303SeeOther);
        }

        return AdminPage.Message(result.Status, result.Title!, result.Message!);
    }
}
