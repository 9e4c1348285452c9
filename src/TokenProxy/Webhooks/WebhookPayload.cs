using System.Text.Json;
using System.Text.Json.Nodes;
using TokenProxy.Events;

namespace TokenProxy.Webhooks;

/// <summary>
/// A delivery's body: the event as <c>GET /admin/api/events</c> shows it, without its sequence (a store's detail). Built
/// from the event log's row, so it carries what the log carries and never a token or secret (docs/architecture.md §11).
/// </summary>
internal static class WebhookPayload
{
    /// <summary>The type of the event <c>POST /admin/api/webhooks/{name}/test</c> sends; not in the event log.</summary>
    public const string TestType = "webhook.test";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string For(StoredEvent e) => JsonSerializer.Serialize(
        new Body(e.Id, e.Type, e.CreatedAt, e.Workspace, e.EndUser, e.ConnectionId, e.Provider, e.Actor, e.Data), Json);

    /// <summary>The workspace of the event a body was built from (<see cref="For"/>); null when it has none.</summary>
    public static string? WorkspaceOf(string payload)
    {
        using var body = JsonDocument.Parse(payload);
        return body.RootElement.TryGetProperty("workspace", out var workspace) && workspace.ValueKind == JsonValueKind.String ? workspace.GetString() : null;
    }

    public static string Test(string eventId, string webhook, DateTimeOffset at) => JsonSerializer.Serialize(
        new Body(eventId, TestType, DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()), null, null, null, null, EventTypes.ActorAdmin,
            new JsonObject { ["webhook"] = webhook }), Json);

    private sealed record Body(
        string Id, string Type, DateTimeOffset CreatedAt, string? Workspace, string? EndUser, string? ConnectionId, string? Provider, string Actor, JsonObject Data);
}
