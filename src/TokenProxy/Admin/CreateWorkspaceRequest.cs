using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary><c>POST /admin/api/workspaces</c>: <c>{"id", "displayName"?}</c>.</summary>
internal sealed record CreateWorkspaceRequest(string? Id, string? DisplayName)
{
    /// <summary>The body's fields as JSON names them (matched case aside, as the reader does).</summary>
    public static readonly IReadOnlySet<string> Fields = new SortedSet<string>(["id", "displayName"], StringComparer.OrdinalIgnoreCase);

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
