using System.Text.Json.Nodes;

namespace TokenProxy.Events;

/// <summary>
/// An event to append with the change it describes (the store gives it its sequence, id and time in the same transaction).
/// <see cref="Once"/>, when set, is a key no other event of the log has: an event whose key was already written is
/// dropped, so a fact noticed by every background pass of every instance (a token about to lapse) is told once.
/// </summary>
internal sealed record NewEvent(
    string Type,
    string Actor,
    string? ConnectionId = null,
    string? Workspace = null,
    string? EndUser = null,
    string? Provider = null,
    JsonObject? Data = null,
    string? Once = null);
