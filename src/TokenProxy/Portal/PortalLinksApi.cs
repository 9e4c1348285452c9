using System.Text.Json;
using TokenProxy.Admin;
using TokenProxy.Proxy;
using TokenProxy.Vault;

namespace TokenProxy.Portal;

/// <summary>
/// The operator's side of the portal, under <c>/admin/api/workspaces/{id}</c> behind <see cref="AdminAccessFilter"/>:
/// minting a portal link for a workspace, and ending every portal session and link of one.
/// </summary>
internal static class PortalLinksApi
{
    private const string LinkShape = "Send one JSON object: {expiresIn?}, a whole number of seconds; or no body.";

    private static readonly IReadOnlySet<string> LinkFields = new SortedSet<string>(["expiresIn"], StringComparer.OrdinalIgnoreCase);

    private const string ExpiresInRule = "expiresIn is a whole number of seconds from 1 to 2592000 (30 days).";

    public static IEndpointRouteBuilder MapPortalLinksApi(this IEndpointRouteBuilder endpoints)
    {
        var workspace = endpoints.MapGroup("/admin/api/workspaces/{id}")
            .AddEndpointFilter(endpoints.ServiceProvider.GetRequiredService<AdminAccessFilter>());
        workspace.MapPost("/portal-links", CreateAsync);
        workspace.MapDelete("/portal-sessions", EndAsync);
        return endpoints;
    }

    /// <summary><c>POST /admin/api/workspaces/{id}/portal-links {"expiresIn"?}</c> → 201 <c>{url, expiresAt}</c>.</summary>
    private static async Task<IResult> CreateAsync(string id, HttpRequest request, IConnectionStore store, PortalSessions sessions, CancellationToken cancellationToken)
    {
        var (lifetime, problem) = await ReadLifetimeAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (await store.GetWorkspaceAsync(id, cancellationToken) is null
            || await sessions.CreateLinkAsync(id, lifetime, cancellationToken) is not { } link)
        {
            return AdminProblems.UnknownWorkspace(id);
        }

        return TypedResults.Json(new PortalLinkView(link.Url, link.ExpiresAt), statusCode: StatusCodes.Status201Created);
    }

    /// <summary><c>DELETE /admin/api/workspaces/{id}/portal-sessions</c>: ends the workspace's portal sessions and deletes its links.</summary>
    private static async Task<IResult> EndAsync(string id, IConnectionStore store, PortalSessions sessions, CancellationToken cancellationToken)
    {
        if (await store.GetWorkspaceAsync(id, cancellationToken) is null)
        {
            return AdminProblems.UnknownWorkspace(id);
        }

        return TypedResults.Ok(new PortalSessionsEnded(id, await sessions.EndAsync(id, cancellationToken)));
    }

    /// <summary>The body is optional; when given, it is JSON with an optional <c>expiresIn</c> in seconds.</summary>
    private static async Task<(TimeSpan Lifetime, ProblemResult? Problem)> ReadLifetimeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.HasJsonContentType()))
        {
            return (PortalSessions.DefaultLinkLifetime, null);
        }

        if (!request.HasJsonContentType())
        {
            return (default, AdminProblems.NotJson());
        }

        JsonElement body;
        try
        {
            body = await request.ReadFromJsonAsync<JsonElement>(cancellationToken);
        }
        catch (JsonException)
        {
            return (default, AdminProblems.MalformedJson(LinkShape));
        }
        catch (BadHttpRequestException e)
        {
            return (default, ProxyProblems.UnreadableBody(e));
        }

        if (body.ValueKind != JsonValueKind.Object || JsonKeys.Repeat(body))
        {
            return (default, AdminProblems.MalformedJson(LinkShape));
        }

        // A misspelt expiresIn would otherwise give the default lifetime, days longer than asked.
        if (JsonKeys.Unread(body, LinkFields, "a portal link") is { Count: > 0 } unread)
        {
            return (default, AdminProblems.Invalid(unread));
        }

        // Names are matched case aside, as every admin body's are.
        var expiresIn = body.EnumerateObject().FirstOrDefault(p => p.Name.Equals("expiresIn", StringComparison.OrdinalIgnoreCase)).Value;
        if (expiresIn.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return (PortalSessions.DefaultLinkLifetime, null);
        }

        return expiresIn.ValueKind == JsonValueKind.Number && expiresIn.TryGetInt64(out var seconds)
            && seconds >= 1 && seconds <= PortalSessions.LongestLinkLifetime.TotalSeconds
            ? (TimeSpan.FromSeconds(seconds), null)
            : (default, AdminProblems.Invalid(new Dictionary<string, string[]> { ["expiresIn"] = [ExpiresInRule] }));
    }
}
