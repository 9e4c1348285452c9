using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary><c>POST /admin/api/workspaces</c>: <c>{"id", "displayName"?}</c>.</summary>
internal sealed record CreateWorkspaceRequest(string? Id, string? DisplayName)
{
    /// <summary>Every problem with the request, by field; empty when it is valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!ScopeNames.IsWorkspace(Id))
        {
            errors["id"] = [ScopeNames.WorkspaceRule];
        }

        if (DisplayName is not null && !ScopeNames.IsText(DisplayName))
        {
            errors["displayName"] = [$"A display name is {ScopeNames.TextRule}."];
        }

        return errors;
    }
}
