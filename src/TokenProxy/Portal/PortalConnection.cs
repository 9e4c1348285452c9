using TokenProxy.Admin;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Portal;

/// <summary>A connection as the portal shows it: what its people need, nothing of the operator's (no scopes, parameters, errors).</summary>
internal sealed record PortalConnection(
    string Id, string App, string Label, ConnectionStatus Status, string? StatusDescription, string? AccountEmail, DateTimeOffset? LastRefreshedAt, bool CanRefresh)
{
    /// <summary>
    /// True for a connection the workspace's people see: one of their workspace that they connected themselves. Imports
    /// and the operator's own connects stay the operator's; anything else answers as if it did not exist.
    /// </summary>
    public static bool IsShown(ConnectionRow row, string workspace) =>
        row.Workspace == workspace && row.Origin == ConnectionOrigin.ConnectRequest;

    public static PortalConnection From(ConnectionRow row, ProviderCatalog providers)
    {
        // Whether it can refresh is decided where the admin API decides it.
        var view = ConnectionView.From(row, providers);
        return new(row.Id, view.ProviderDisplayName, row.Label, row.Status, PortalStatus.Describe(row.Status), row.Account?.Email, row.LastRefreshedAt, view.CanRefresh);
    }
}
