using Microsoft.Extensions.Primitives;
using TokenProxy.Vault;

namespace TokenProxy.Proxy;

/// <summary>
/// The workspace and end user a data-plane request is for (docs/architecture.md §2): <c>TokenProxy-Workspace</c> and
/// <c>TokenProxy-End-User</c>, else its client key's <c>Workspace</c> and <c>EndUser</c>, else none. A key limited to a
/// workspace or an end user never reaches another's connections, whatever the request names. Both headers are removed
/// before forwarding with every other <c>TokenProxy-*</c> header (<see cref="HeaderHygiene"/>).
/// </summary>
internal static class RequestScope
{
    public const string WorkspaceHeader = "TokenProxy-Workspace";

    public const string EndUserHeader = "TokenProxy-End-User";

    /// <summary>The request's scope, or the problem to answer with (a malformed header, or one the client key may not name).</summary>
    public static ProblemResult? TryRead(HttpRequest request, ProxyClient client, out ConnectionScope scope)
    {
        scope = default;
        // The common request names neither: two dictionary misses and the key's own scope, nothing allocated.
        var headers = request.Headers;
        // A key limited to an end user but to no workspace is limited to no workspace: end user ids are unique only
        // within a workspace, so naming one would reach another tenant's end user of the same id.
        var workspaceLimit = client.Workspace;
        if (workspaceLimit is null && client.EndUser is not null && headers[WorkspaceHeader].Count > 0)
        {
            return Forbidden($"This client key may only use the connections of end user '{client.EndUser}' in no workspace.");
        }

        if (Read(headers[WorkspaceHeader], workspaceLimit, ScopeNames.IsWorkspace, "invalid_workspace", WorkspaceHeader, ScopeNames.WorkspaceRule, "workspace",
            out var workspace) is { } wrongWorkspace)
        {
            return wrongWorkspace;
        }

        if (Read(headers[EndUserHeader], client.EndUser, ScopeNames.IsEndUser, "invalid_end_user", EndUserHeader, ScopeNames.EndUserRule, "end user",
            out var endUser) is { } wrongEndUser)
        {
            return wrongEndUser;
        }

        scope = new ConnectionScope(workspace, endUser);
        return null;
    }

    /// <summary>One header's value, else the key's; a problem when the header is malformed or names another than the key's.</summary>
    private static ProblemResult? Read(
        StringValues named, string? limit, Func<string?, bool> isValid, string code, string header, string rule, string what, out string? value)
    {
        value = limit;
        if (named.Count == 0)
        {
            return null;
        }

        if (Single(named) is not { } sent || !isValid(sent))
        {
            return Invalid(code, header, rule);
        }

        if (limit is not null && !string.Equals(limit, sent, StringComparison.Ordinal))
        {
            return Forbidden($"This client key may only use the connections of {what} '{limit}'.");
        }

        value = sent;
        return null;
    }

    /// <summary>Several lines name no single scope: never one of them in place of the others.</summary>
    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    // The value is not echoed: it may be anything, of any length.
    private static ProblemResult Invalid(string code, string header, string rule) => new(
        StatusCodes.Status400BadRequest, code, $"The {header} header is not valid.", $"Send one {header} header. {rule}");

    private static ProblemResult Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "client_forbidden", "Forbidden.", detail);
}
