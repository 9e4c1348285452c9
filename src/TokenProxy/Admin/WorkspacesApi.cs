using System.Text.Json;
using TokenProxy.Events;
using TokenProxy.Proxy;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary><c>/admin/api/workspaces</c>: the workspaces connections can belong to (docs/architecture.md §2).</summary>
internal static class WorkspacesApi
{
    public static RouteGroupBuilder MapWorkspacesApi(this RouteGroupBuilder admin)
    {
        var api = admin.MapGroup("/api/workspaces");
        api.MapPost("/", CreateAsync);
        api.MapGet("/", ListAsync);
        api.MapGet("/{id}", GetAsync);
        api.MapDelete("/{id}", DeleteAsync);
        return admin;
    }

    private static async Task<IResult> CreateAsync(HttpRequest body, IConnectionStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!body.HasJsonContentType())
        {
            return AdminProblems.NotJson();
        }

        CreateWorkspaceRequest? request;
        try
        {
            var json = await body.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (json.ValueKind != JsonValueKind.Object || JsonKeys.Repeat(json))
            {
                return AdminProblems.MalformedJson(AdminProblems.WorkspaceShape);
            }

            if (JsonKeys.Unread(json, CreateWorkspaceRequest.Fields, "a workspace") is { Count: > 0 } unread)
            {
                return AdminProblems.Invalid(unread);
            }

            request = json.Deserialize<CreateWorkspaceRequest>(JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return AdminProblems.MalformedJson(AdminProblems.WorkspaceShape);
        }
        catch (BadHttpRequestException e)
        {
            return ProxyProblems.UnreadableBody(e);
        }

        if (request is null)
        {
            return AdminProblems.MalformedJson(AdminProblems.WorkspaceShape);
        }

        if (request.Validate() is { Count: > 0 } errors)
        {
            return AdminProblems.Invalid(errors);
        }

        var workspace = new WorkspaceRow(request.Id!, request.DisplayName ?? request.Id!, time.GetUtcNow());
        return await store.TryInsertWorkspaceAsync(workspace, cancellationToken)
            ? TypedResults.Created($"/admin/api/workspaces/{workspace.Id}", WorkspaceView.From(workspace, 0))
            : AdminProblems.WorkspaceTaken(workspace.Id);
    }

    private static async Task<IEnumerable<WorkspaceView>> ListAsync(IConnectionStore store, CancellationToken cancellationToken)
    {
        var workspaces = await store.ListWorkspacesAsync(cancellationToken);
        var counts = (await store.ListAsync(cancellationToken)).Where(r => r.Workspace is not null)
            .GroupBy(r => r.Workspace!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return workspaces.Select(w => WorkspaceView.From(w, counts.GetValueOrDefault(w.Id)));
    }

    private static async Task<IResult> GetAsync(string id, IConnectionStore store, CancellationToken cancellationToken) =>
        await store.GetWorkspaceAsync(id, cancellationToken) is { } workspace
            ? TypedResults.Ok(WorkspaceView.From(workspace, (await ConnectionsApi.ListInAsync(store, id, null, cancellationToken)).Count))
            : AdminProblems.UnknownWorkspace(id);

    /// <summary>
    /// Refused while the workspace holds connections, so none is left behind in a workspace that no longer exists; with
    /// <c>?force=true</c> each is revoked at its provider (as a revoke does) and deleted first.
    /// </summary>
    private static async Task<IResult> DeleteAsync(
        string id, string? force, IConnectionStore store, IEventStore events, ConnectionRevoker revoker, TimeProvider time, CancellationToken cancellationToken)
    {
        // Read as text: a bound bool? would answer "?force=yes" with a bare 400 and no problem saying why.
        if (!bool.TryParse(force ?? "false", out var forced))
        {
            return AdminProblems.Invalid(new Dictionary<string, string[]> { ["force"] = ["force is true or false."] });
        }

        if (await store.GetWorkspaceAsync(id, cancellationToken) is null)
        {
            return AdminProblems.UnknownWorkspace(id);
        }

        var held = await ConnectionsApi.ListInAsync(store, id, null, cancellationToken);
        if (held.Count > 0 && !forced)
        {
            return AdminProblems.WorkspaceNotEmpty(id, held.Count);
        }

        foreach (var row in held)
        {
            await revoker.RevokeAndDeleteAsync(row, cancellationToken);
        }

        // The delete cancels the workspace's outstanding requests in its own commit; each is told once that has committed.
        var now = time.GetUtcNow();
        var outstanding = (await store.ListConnectRequestsAsync(id, cancellationToken)).Where(r => r.StatusAt(now) == ConnectRequestStatus.Outstanding).ToList();
        if (!await store.DeleteWorkspaceAsync(id, now, cancellationToken))
        {
            return AdminProblems.UnknownWorkspace(id);
        }

        await events.AppendAsync([.. outstanding.Select(r => ConnectionEvents.Request(r, EventTypes.ConnectRequestCancelled, EventTypes.ActorAdmin))], cancellationToken);
        return TypedResults.NoContent();
    }
}
