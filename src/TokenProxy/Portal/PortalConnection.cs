using TokenProxy.Admin;
using TokenProxy.Providers;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Portal;

/// <summary>A connection as the portal shows it: what its people need, nothing of the operator's (no scopes, parameters, errors).</summary>
internal sealed record PortalConnection(
    string Id, string App, string Label, ConnectionStatus Status, string? StatusDescription, string? AccountEmail, DateTimeOffset? LastRefreshedAt, bool CanRefresh)
{
    /// <summary>
    /// A connection in error or revoked, or one whose API asked for broader access, whose people can sign in again from the
    /// portal (a browser-connectable provider).
    /// </summary>
    public bool CanReconnect { get; init; }

    /// <summary>The scopes the provider's API said it needs and the connection was not granted; empty when none.</summary>
    public IReadOnlyList<string> RequiredScopes { get; init; } = [];

    /// <summary>"Access lapses on …: reconnect before then." while its access lapses within <c>Refresh:ExpiringWarning</c>; else null.</summary>
    public string? Warning { get; init; }

    /// <summary>True when it holds a credential that a test can send.</summary>
    public bool CanTest { get; init; }

    /// <summary>
    /// True for a connection the workspace's people see: one of their workspace that they connected themselves. Imports
    /// and the operator's own connects stay the operator's; anything else answers as if it did not exist.
    /// </summary>
    public static bool IsShown(ConnectionRow row, string workspace) =>
        row.Workspace == workspace && row.Origin == ConnectionOrigin.ConnectRequest;

    public static PortalConnection From(ConnectionRow row, ProviderCatalog providers, ConnectionLapses lapses)
    {
        // Whether it can refresh is decided where the admin API decides it; a connection in error was refused by the provider
        // (its grant is gone), so the portal offers Reconnect rather than a refresh that can only fail again.
        var view = ConnectionView.From(row, providers, lapses);
        return new(row.Id, view.ProviderDisplayName, row.Label, row.Status, PortalStatus.Describe(row.Status), view.Account?.Email, row.LastRefreshedAt,
            view.CanRefresh && row.Status != ConnectionStatus.Error)
        {
            CanReconnect = NeedsReconnect(row) && IsReconnectable(row, providers),
            RequiredScopes = row.Status == ConnectionStatus.Revoked ? [] : row.RequiredScopes,
            CanTest = row.Status != ConnectionStatus.Revoked && row.AccessToken is not null,
            Warning = view.Warning,
        };
    }

    /// <summary>In error, revoked, or active with scopes its API asked for (docs/architecture.md §1): a sign-in is what it needs.</summary>
    public static bool NeedsReconnect(ConnectionRow row) =>
        row.Status is ConnectionStatus.Error or ConnectionStatus.Revoked || (row.Status == ConnectionStatus.Active && row.RequiredScopes.Count > 0);

    /// <summary>Whether a sign-in can give <paramref name="row"/> new tokens: tokens for a person, from a provider set up for connecting.</summary>
    public static bool IsReconnectable(ConnectionRow row, ProviderCatalog providers) =>
        row.CredentialKind is CredentialKind.OAuth2 or CredentialKind.Bearer && providers.TryGet(row.Provider, out var provider) && provider.CanConnect;
}
