using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>A workspace as the admin API shows it, with how many connections it holds.</summary>
internal sealed record WorkspaceView(string Id, string DisplayName, DateTimeOffset CreatedAt, int Connections)
{
    public static WorkspaceView From(WorkspaceRow row, int connections) => new(row.Id, row.DisplayName, row.CreatedAt, connections);
}
