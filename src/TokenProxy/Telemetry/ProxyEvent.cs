namespace TokenProxy.Telemetry;

/// <summary>
/// One failure or status change, as <c>GET /admin/api/events</c> shows it. Ids and codes only. A repeat (same kind,
/// provider, connection and code) is the same entry: <see cref="At"/> is the last time, <see cref="FirstAt"/> the first.
/// </summary>
internal sealed record ProxyEvent(
    DateTimeOffset At, string Kind, string? Provider, string? ConnectionId, string? Code, string? Description, int Count, DateTimeOffset FirstAt);
