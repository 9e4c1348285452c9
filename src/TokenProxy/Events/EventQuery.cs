namespace TokenProxy.Events;

/// <summary>
/// A filter on the event log, each part applying only when given; <see cref="Before"/> (a sequence) continues a page,
/// <see cref="Limit"/> bounds it. Pages are newest first.
/// </summary>
internal sealed record EventQuery(
    string? Workspace = null, string? ConnectionId = null, string? Type = null, DateTimeOffset? Since = null, long? Before = null, int Limit = 50);
