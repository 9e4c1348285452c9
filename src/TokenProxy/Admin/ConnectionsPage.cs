using System.Globalization;
using System.Text;
using TokenProxy.Providers;
using TokenProxy.Telemetry;
using TokenProxy.Vault;
using static TokenProxy.Admin.PageLayout;

namespace TokenProxy.Admin;

/// <summary><c>/admin/connections</c>: the providers one can connect, every connection, and what went wrong lately.</summary>
internal static class ConnectionsPage
{
    public static async Task<IResult> RenderAsync(IConnectionStore store, ProviderCatalog providers, EventFeed events, CancellationToken cancellationToken)
    {
        var rows = await store.ListAsync(cancellationToken);
        var body = new StringBuilder();
        body.Append("<h1>Connections</h1>");
        AppendProviders(body, providers);
        AppendTable(body, rows, providers);
        AppendEvents(body, events.Snapshot().Take(20).ToList());
        return Render("Connections", body.ToString());
    }

    private static void AppendProviders(StringBuilder body, ProviderCatalog providers)
    {
        var shown = providers.All.Where(p => p.Configured || p.CanConnect).ToList();
        body.Append("""<section class="card" aria-labelledby="providers-title"><h2 id="providers-title">Connect an account</h2>""");
        if (shown.Count == 0)
        {
            body.Append("<p>No provider is configured yet. Add one under <code>TokenProxy:Providers</code> with its <code>ClientId</code> (see the README), then reload this page.</p>");
        }
        else
        {
            body.Append("""<ul class="providers">""");
            foreach (var provider in shown)
            {
                var action = provider switch
                {
                    { CanConnect: true } => $"""<a class="button" href="/admin/connect/{Html(provider.Name)}">Connect</a>""",
                    { AuthorizationUrl: null, Issuer: null } => """<span class="hint">No OAuth endpoints: import its tokens with <code>POST /admin/api/connections</code>.</span>""",
                    _ => $"""<span class="hint">Set <code>TokenProxy:Providers:{Html(provider.Name)}:ClientId</code> to connect.</span>""",
                };
                body.Append(CultureInfo.InvariantCulture, $"""<li><span class="provider-name">{Html(provider.DisplayName)}</span> {action}</li>""");
            }

            body.Append("</ul>");
        }

        var presets = providers.All.Where(p => !p.Configured && !p.CanConnect).Select(p => p.Name).ToList();
        if (presets.Count > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"""<p class="hint">Presets ready to configure: {Html(string.Join(", ", presets))}. Tokens for them can be imported without any configuration.</p>""");
        }

        body.Append("</section>");
    }

    private static void AppendTable(StringBuilder body, IReadOnlyList<ConnectionRow> rows, ProviderCatalog providers)
    {
        body.Append("""<section class="card" aria-labelledby="connections-title"><h2 id="connections-title">Your connections</h2>""");
        if (rows.Count == 0)
        {
            body.Append("""
                <div class="empty"><p class="empty-title">No connections yet</p>
                <p>A connection appears here when someone connects an account with a <strong>Connect</strong> button above,
                or when a token obtained elsewhere is imported with <code>POST /admin/api/connections</code>.</p></div>
                """);
        }
        else
        {
            body.Append("""<table><thead><tr><th scope="col">App</th><th scope="col">Label</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead><tbody>""");
            foreach (var row in rows)
            {
                var app = providers.TryGet(row.Provider, out var provider) ? provider.DisplayName : row.Provider;
                body.Append(CultureInfo.InvariantCulture, $"""
                    <tr data-connection="{Html(row.Id)}"><td>{Html(app)}</td><td>{Html(row.Label)}</td><td>{StatusBadge.Render(row.Status)}</td>
                    <td><a href="/admin/connections/{Html(row.Id)}" aria-label="Manage {Html(app)} {Html(row.Label)}">Manage</a></td></tr>
                    """);
            }

            body.Append("</tbody></table>");
        }

        body.Append("</section>");
    }

    private static void AppendEvents(StringBuilder body, List<ProxyEvent> recent)
    {
        body.Append("""<section class="card" aria-labelledby="events-title"><h2 id="events-title">Recent events</h2>""");
        if (recent.Count == 0)
        {
            body.Append("<p class=\"hint\">Failures and status changes show up here (the last 200 are at <code>/admin/api/events</code>).</p>");
        }
        else
        {
            body.Append("""<ul class="events">""");
            foreach (var e in recent)
            {
                body.Append(CultureInfo.InvariantCulture, $"""<li><time datetime="{e.At:O}">{e.At:yyyy-MM-dd HH:mm:ss} UTC</time> <strong>{Html(e.Kind)}</strong> {Html(e.Provider)} {Html(e.ConnectionId)} {Html(e.Code)} {Html(e.Description)}{Repeats(e)}</li>""");
            }

            body.Append("</ul>");
        }

        body.Append("</section>");
    }

    private static string Repeats(ProxyEvent e) =>
        e.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" (×{e.Count} since {e.FirstAt:yyyy-MM-dd HH:mm:ss} UTC)") : string.Empty;
}
