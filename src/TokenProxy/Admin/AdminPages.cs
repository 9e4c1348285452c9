using System.Reflection;
using Microsoft.Extensions.Options;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>The HTML admin pages and their static assets (embedded in the executable: nothing to deploy beside it).</summary>
internal static class AdminPages
{
    private static readonly Dictionary<string, (string ContentType, byte[] Content)> Assets = new(StringComparer.Ordinal)
    {
        ["admin.css"] = ("text/css; charset=utf-8", Load("admin.css")),
        ["admin.js"] = ("text/javascript; charset=utf-8", Load("admin.js")),
        ["icon.svg"] = (IconType, Load("icon.svg")),
    };

    private const string IconType = "image/svg+xml";

    public static RouteGroupBuilder MapAdminPages(this RouteGroupBuilder admin)
    {
        admin.MapGet("/", () => Results.Redirect("/admin/connections"));
        admin.MapGet("/connections", ConnectionsAsync);
        admin.MapGet("/connections/{id}", ConnectionAsync);
        admin.MapGet("/providers", Providers);
        admin.MapGet("/providers/{name}/import", ImportForm);
        admin.MapGet("/webhooks", WebhooksAsync);
        admin.MapGet("/providers/new", (IOptions<PublicUrlOptions> options) =>
            AdminPage.Render<ProviderFormPage, ProviderFormPageModel>(ProviderFormPageModel.New(options.Value.PublicBaseUrl)));
        admin.MapGet("/providers/{name}/edit", EditProvider);
        // Anonymous: the stylesheet and script hold nothing secret, and the pages a connect request's link shows (to
        // people without admin access) use them too.
        admin.MapGet("/assets/{name}", (string name) => Assets.TryGetValue(name, out var asset)
            ? Results.Bytes(asset.Content, asset.ContentType)
            : Results.NotFound()).WithMetadata(new AdminLogin.AnonymousMarker());
        return admin;
    }

    /// <summary>
    /// The pages' icon, also at <c>/favicon.ico</c>: browsers ask every origin for it, and the data plane would answer it
    /// as a request for a provider named so (a 403 or 404 problem in every page's console).
    /// </summary>
    public static IResult Icon() => Results.Bytes(Assets["icon.svg"].Content, IconType);

    /// <summary>An admin path that names nothing: a problem under <c>/admin/api</c>, a page elsewhere.</summary>
    public static IResult NotFound(HttpRequest request) => request.Path.StartsWithSegments("/admin/api", StringComparison.OrdinalIgnoreCase)
        ? AdminProblems.NotFound()
        : AdminPage.Message(StatusCodes.Status404NotFound, "Not found", "There is no admin page at this address. The connections and providers pages list what there is.");

    private static async Task<IResult> ConnectionsAsync(
        string? workspace, string? endUser, IConnectionStore store, ProviderCatalog providers, IEventStore events, TimeProvider time, ConnectionLapses lapses,
        CancellationToken cancellationToken)
    {
        var rows = await ConnectionsApi.ListInAsync(store, workspace, endUser, cancellationToken);
        var now = time.GetUtcNow();
        var requests = string.IsNullOrEmpty(workspace) ? []
            : (await store.ListConnectRequestsAsync(workspace, cancellationToken)).Where(r => r.StatusAt(now) == ConnectRequestStatus.Outstanding).ToList();
        var recent = await events.QueryAsync(new EventQuery(Workspace: string.IsNullOrEmpty(workspace) ? null : workspace, Limit: EventLines.Shown), cancellationToken);
        return AdminPage.Render<ConnectionsPage, ConnectionsPageModel>(new(rows, providers, recent)
        {
            Requests = requests,
            Workspace = string.IsNullOrEmpty(workspace) ? null : workspace,
            EndUser = string.IsNullOrEmpty(endUser) ? null : endUser,
            Lapses = lapses,
        });
    }

    private static async Task<IResult> ConnectionAsync(
        string id, string? done, string? connected, IConnectionStore store, ProviderCatalog providers, IEventStore events, ConnectionLapses lapses,
        CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(id, cancellationToken);
        if (row is null)
        {
            return AdminPage.Message(StatusCodes.Status404NotFound, "Connection not found", $"There is no connection '{id}'.");
        }

        // Only a fixed keyword picks the toast: nothing from the URL is echoed into the page.
        var outcome = connected is not null ? "connected" : done;
        // The "Reconnect with scopes" form is answered by a redirect to the provider, which CSP form-action governs too.
        var formTargets = row.CredentialKind.IsReconnectable() && providers.TryGet(row.Provider, out var provider) ? ConnectEndpoints.AuthorizationOrigins(provider) : null;
        var history = await events.QueryAsync(new EventQuery(ConnectionId: row.Id, Limit: EventLines.Shown), cancellationToken);
        return AdminPage.Render<ConnectionPage, ConnectionPageModel>(new(row, ConnectionView.From(row, providers, lapses), outcome, history), formTargets: formTargets);
    }

    private static async Task<IResult> WebhooksAsync(IWebhookStore store, CancellationToken cancellationToken)
    {
        var shown = new List<(WebhookView, IReadOnlyList<WebhookDeliveryView>)>();
        foreach (var webhook in await store.ListWebhooksAsync(cancellationToken))
        {
            var deliveries = await store.ListDeliveriesAsync(webhook.Name, null, 10, cancellationToken);
            shown.Add((WebhookView.From(webhook), [.. deliveries.Select(WebhookDeliveryView.From)]));
        }

        return AdminPage.Render<WebhooksPage, WebhooksPageModel>(new(shown));
    }

    private static IResult Providers(ProviderCatalog providers, AuthorizationFlow flow, ClientSecretRotation secrets, IOptions<PublicUrlOptions> options) =>
        AdminPage.Render<ProvidersPage, ProvidersPageModel>(new([.. providers.All.Select(p => ProviderView.From(p, flow, secrets.StatusOf(p), options.Value.PublicBaseUrl))]));

    private static IResult ImportForm(
        string name, string? kind, string? label, string? workspace, string? endUser, ProviderCatalog providers, AuthorizationFlow flow, ClientSecretRotation secrets,
        IOptions<PublicUrlOptions> options)
    {
        if (!providers.TryGet(name, out var provider))
        {
            return AdminPage.Message(StatusCodes.Status404NotFound, "Unknown provider", $"No provider named '{name}' is configured.");
        }

        // Only a kind the provider offers picks the form; a label, workspace and end user fill it only when valid.
        if (ProviderActions.ImportKind(provider, kind) is not { } chosen)
        {
            return AdminPage.Message(StatusCodes.Status404NotFound, "Nothing to import", $"{provider.DisplayName} does not take that kind of credential; its kinds are on the providers page.");
        }

        return AdminPage.Render<ImportPage, ImportPageModel>(new(
            ProviderView.From(provider, flow, secrets.StatusOf(provider), options.Value.PublicBaseUrl), chosen,
            label is not null && ConnectionLabel.IsValid(label) ? label : null,
            ScopeNames.IsWorkspace(workspace) ? workspace : null,
            ScopeNames.IsEndUser(endUser) ? endUser : null));
    }

    private static IResult EditProvider(string name, ProviderCatalog providers, IOptions<PublicUrlOptions> options) =>
        providers.TryGet(name, out var provider) && provider.Source == ProviderSource.Stored
            ? AdminPage.Render<ProviderFormPage, ProviderFormPageModel>(ProviderFormPageModel.Of(provider, options.Value.PublicBaseUrl))
            : AdminPage.Message(StatusCodes.Status404NotFound, "No stored provider", $"No provider '{name}' was added on this page or through the admin API; one from the configuration files is changed there.");

    /// <summary>An asset embedded from <c>{folder}/Assets</c>: the admin pages' own, or the portal's.</summary>
    internal static byte[] Load(string name, string folder = "Admin")
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"TokenProxy.{folder}.Assets.{name}")
            ?? throw new InvalidOperationException($"The {folder.ToLowerInvariant()} asset {name} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
