using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// <c>/admin/api/connect-requests</c>: links that ask a workspace's person to connect an account (docs/architecture.md
/// §9). The link's token is in the answer that creates a request and nowhere else; only the operator cancels.
/// </summary>
internal static class ConnectRequestsApi
{
    public static RouteGroupBuilder MapConnectRequestsApi(this RouteGroupBuilder admin)
    {
        var api = admin.MapGroup("/api/connect-requests");
        api.MapPost("/", CreateAsync);
        api.MapGet("/", ListAsync);
        api.MapGet("/{id}", GetAsync);
        api.MapDelete("/{id}", CancelAsync);
        return admin;
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest body, IConnectionStore store, IEventStore events, ProviderCatalog providers, TimeProvider time, IOptions<PublicUrlOptions> options,
        AdminInstrumentation instrumentation, CancellationToken cancellationToken)
    {
        var (request, unreadable) = await ReadAsync(body, cancellationToken);
        if (request is null)
        {
            return unreadable!;
        }

        var errors = request.Validate(providers, out var provider);
        if (!errors.ContainsKey("workspace") && await store.GetWorkspaceAsync(request.Workspace!, cancellationToken) is null)
        {
            errors["workspace"] = [$"There is no workspace '{request.Workspace}'. Create it first with POST /admin/api/workspaces."];
        }

        if (provider is not null && !errors.ContainsKey("provider") && !errors.ContainsKey("connection") && request.Connection is { } connection
            && request.ConnectionProblem(await store.GetAsync(connection, cancellationToken), provider) is { } problem)
        {
            errors["connection"] = [problem];
        }

        if (errors.Count > 0)
        {
            return AdminProblems.Invalid(errors);
        }

        var token = ConnectRequestTokens.New();
        var now = time.GetUtcNow();
        var row = new ConnectRequestRow
        {
            Id = ConnectRequestIds.New(),
            TokenHash = ConnectRequestTokens.Hash(token),
            Workspace = request.Workspace!,
            Provider = provider!.Name,
            Label = request.Label,
            Scopes = request.Scopes,
            EndUser = request.EndUser?.ToStored(),
            Parameters = request.Parameters ?? [],
            ConnectionId = request.Connection,
            Message = request.Message,
            Status = ConnectRequestStatus.Outstanding,
            CreatedAt = now,
            ExpiresAt = now.AddSeconds(request.ExpiresIn ?? CreateConnectRequest.DefaultExpiresIn),
        };
        if (await LabelProblemAsync(row, store, now, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        if (!await store.TryInsertConnectRequestAsync(row, cancellationToken))
        {
            // The store checks the workspace in the insert: it was deleted since it was checked above.
            return AdminProblems.UnknownWorkspace(row.Workspace);
        }

        // Told after the insert commits: a crash in between loses this one event, never tells one for a request that is not there.
        await events.AppendAsync([ConnectionEvents.Request(row, EventTypes.ConnectRequestCreated, EventTypes.ActorAdmin)], cancellationToken);
        instrumentation.ConnectRequestCreated(row);
        var url = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/connect/{token}";
        return TypedResults.Created($"/admin/api/connect-requests/{row.Id}", ConnectRequestView.From(row, now, url));
    }

    /// <summary>
    /// A request without <c>connection</c> asks for a new connection (docs/architecture.md §9): never for a label that a
    /// connection holds in its scope (that is a reconnect, which names the connection), nor one that another outstanding
    /// request asks for there, so that two people answering two links never end in one connection.
    /// </summary>
    private static async Task<IResult?> LabelProblemAsync(ConnectRequestRow row, IConnectionStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (row.ConnectionId is not null)
        {
            return null;
        }

        var label = row.EffectiveLabel;
        if (await store.FindAsync(row.Provider, row.Scope, label, cancellationToken) is not null)
        {
            return AdminProblems.LabelTaken(row.Provider, label);
        }

        var rival = (await store.ListConnectRequestsAsync(row.Workspace, cancellationToken)).FirstOrDefault(r =>
            r.ConnectionId is null && r.Provider == row.Provider && r.Scope == row.Scope && r.EffectiveLabel == label && r.StatusAt(now) == ConnectRequestStatus.Outstanding);
        return rival is null ? null : AdminProblems.LabelRequested(row.Provider, label, rival.Id);
    }

    private static async Task<IResult> ListAsync(string? workspace, string? status, IConnectionStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(workspace) && !ScopeNames.IsWorkspace(workspace))
        {
            errors["workspace"] = [ScopeNames.WorkspaceRule];
        }

        ConnectRequestStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!ConnectRequestStatusNames.TryParse(status, out var parsed))
            {
                errors["status"] = ["status is outstanding, completed, cancelled or expired."];
            }

            wanted = parsed;
        }

        if (errors.Count > 0)
        {
            return AdminProblems.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var rows = await store.ListConnectRequestsAsync(string.IsNullOrEmpty(workspace) ? null : workspace, cancellationToken);
        return TypedResults.Ok(rows.Where(r => wanted is null || r.StatusAt(now) == wanted).Select(r => ConnectRequestView.From(r, now)));
    }

    private static async Task<IResult> GetAsync(string id, IConnectionStore store, TimeProvider time, CancellationToken cancellationToken) =>
        await store.GetConnectRequestAsync(id, cancellationToken) is { } row
            ? TypedResults.Ok(ConnectRequestView.From(row, time.GetUtcNow()))
            : AdminProblems.ConnectRequestNotFound(id);

    /// <summary>Cancels an outstanding (or expired) request; cancelling one again changes nothing; a completed one is 409.</summary>
    private static async Task<IResult> CancelAsync(
        string id, IConnectionStore store, IEventStore events, TimeProvider time, AdminInstrumentation instrumentation, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await store.TryCancelConnectRequestAsync(id, now, cancellationToken) is { } cancelled)
        {
            await events.AppendAsync([ConnectionEvents.Request(cancelled, EventTypes.ConnectRequestCancelled, EventTypes.ActorAdmin)], cancellationToken);
            instrumentation.ConnectRequestCancelled(id);
            return TypedResults.Ok(ConnectRequestView.From(cancelled, now));
        }

        return await store.GetConnectRequestAsync(id, cancellationToken) switch
        {
            null => AdminProblems.ConnectRequestNotFound(id),
            { Status: ConnectRequestStatus.Completed } => AdminProblems.ConnectRequestCompleted(id),
            var row => TypedResults.Ok(ConnectRequestView.From(row, now)),
        };
    }

    /// <summary>Read here rather than bound, for the reasons <see cref="ConnectionsApi"/> gives: a clear problem for every body.</summary>
    private static async Task<(CreateConnectRequest? Request, ProblemResult? Problem)> ReadAsync(HttpRequest body, CancellationToken cancellationToken)
    {
        if (!body.HasJsonContentType())
        {
            return (null, AdminProblems.NotJson());
        }

        try
        {
            var json = await body.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (json.ValueKind != JsonValueKind.Object || JsonKeys.Repeat(json))
            {
                return (null, AdminProblems.MalformedJson(AdminProblems.ConnectRequestShape));
            }

            // A misspelt key (mesage, expires_in) would leave its field at the default: a link that lives a week, not a minute.
            if (JsonKeys.Unread(json, CreateConnectRequest.Fields, "a connect request") is { Count: > 0 } unread)
            {
                return (null, AdminProblems.Invalid(unread));
            }

            return json.Deserialize<CreateConnectRequest>(JsonSerializerOptions.Web) is { } request
                ? (request, null)
                : (null, AdminProblems.MalformedJson(AdminProblems.ConnectRequestShape));
        }
        catch (JsonException)
        {
            return (null, AdminProblems.MalformedJson(AdminProblems.ConnectRequestShape));
        }
        catch (BadHttpRequestException e)
        {
            return (null, ProxyProblems.UnreadableBody(e));
        }
    }
}
