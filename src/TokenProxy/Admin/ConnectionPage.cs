using System.Globalization;
using System.Text;
using TokenProxy.Providers;
using TokenProxy.Vault;
using static TokenProxy.Admin.PageLayout;

namespace TokenProxy.Admin;

/// <summary>
/// <c>/admin/connections/{id}</c>: one connection, and what can be done with it. Actions run in the
/// page's script through the JSON API (with the CSRF header); the outcome comes back as a fixed keyword
/// in <c>?done=</c>, so no text from the URL is ever echoed into the page.
/// </summary>
internal static class ConnectionPage
{
    private static readonly Dictionary<string, (string Text, bool Error)> Outcomes = new(StringComparer.Ordinal)
    {
        ["connected"] = ("Connected. Apps can use this connection now.", false),
        ["refreshed"] = ("Connection refreshed.", false),
        ["refresh-failed"] = ("Failed to refresh connection. You may need to reconnect.", true),
        ["revoked"] = ("Connection revoked.", false),
    };

    public static async Task<IResult> RenderAsync(string id, string? done, string? connected, IConnectionStore store, ProviderCatalog providers, CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(id, cancellationToken);
        if (row is null)
        {
            return AdminPage.Message(StatusCodes.Status404NotFound, "Connection not found", $"There is no connection '{id}'.");
        }

        var view = ConnectionView.From(row, providers);
        var outcome = Outcomes.GetValueOrDefault(connected is not null ? "connected" : done ?? string.Empty);
        var reconnect = $"/admin/connect/{Html(row.Provider)}?connection={Html(row.Id)}";
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""
            <p><a href="/admin/connections">← All connections</a></p>
            <section class="card" data-connection="{Html(row.Id)}" aria-labelledby="connection-title">
              <h1 id="connection-title">{Html(view.ProviderDisplayName)} <span class="label">{Html(row.Label)}</span></h1>
              <p class="status">{StatusBadge.Render(row.Status)}</p>
              <dl class="facts">
            """);
        Fact(body, "Account", row.Account is { } a ? a.Email ?? a.Name ?? a.Id : null);
        Fact(body, "Last refreshed", Time(row.LastRefreshedAt));
        Fact(body, "Expires", row.ExpiresAt is null && row.AccessToken is not null ? "No expiry given by the provider" : Time(row.ExpiresAt));
        Fact(body, "Scopes", row.Scopes.Count > 0 ? string.Join(" ", row.Scopes) : null);
        Fact(body, "Workspace", row.Workspace);
        Fact(body, "Connection id", row.Id);
        if (row.LastError is { } error)
        {
            Fact(body, "Last error", $"{error.Code}{(error.Description is null ? string.Empty : $": {error.Description}")} ({Time(error.At)})");
        }

        body.Append("</dl><div class=\"actions\">");
        if (view.CanRefresh)
        {
            body.Append("""<button type="button" class="button" data-action="refresh">Refresh credential</button>""");
        }
        else if (row.Status != ConnectionStatus.Revoked)
        {
            body.Append("""<p class="hint" id="cannot-refresh">This connection cannot be refreshed automatically. Reconnect to give it new credentials.</p>""");
        }

        if (outcome.Error || !view.CanRefresh || row.Status == ConnectionStatus.Error)
        {
            body.Append(CultureInfo.InvariantCulture, $"""<a class="button secondary" href="{reconnect}" data-action="reconnect">Reconnect</a>""");
        }

        if (row.Status != ConnectionStatus.Revoked)
        {
            body.Append("""<button type="button" class="button danger" data-action="revoke">Revoke</button>""");
        }

        body.Append(CultureInfo.InvariantCulture, $"""
            </div>
            <form class="more-scopes" method="get" action="/admin/connect/{Html(row.Provider)}">
              <input type="hidden" name="connection" value="{Html(row.Id)}">
              <label for="scopes">Reconnect with scopes</label>
              <input id="scopes" name="scopes" type="text" value="{Html(string.Join(" ", row.Scopes))}" autocomplete="off">
              <button type="submit" class="button secondary">Reconnect</button>
            </form>
            </section>
            <dialog id="revoke-dialog" aria-labelledby="revoke-title" aria-describedby="revoke-text">
              <h2 id="revoke-title">Revoke this connection?</h2>
              <p id="revoke-text">Apps using it will fail until it is reconnected. The tokens are revoked at {Html(view.ProviderDisplayName)} when it supports it, and deleted here.</p>
              <div class="actions">
                <button type="button" class="button danger" data-action="confirm-revoke">Revoke connection</button>
                <button type="button" class="button secondary" data-action="keep" autofocus>Keep connection</button>
              </div>
            </dialog>
            """);
        return Render($"{view.ProviderDisplayName} {row.Label}", body.ToString(), toast: outcome.Text is null ? null : Html(outcome.Text), toastIsError: outcome.Error);
    }

    private static void Fact(StringBuilder body, string name, string? value)
    {
        if (value is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<dt>{Html(name)}</dt><dd>{Html(value)}</dd>");
        }
    }

    private static string? Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
