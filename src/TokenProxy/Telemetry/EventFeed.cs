namespace TokenProxy.Telemetry;

/// <summary>One failure or status change, as <c>GET /admin/api/events</c> shows it. Ids and codes only.</summary>
internal sealed record ProxyEvent(DateTimeOffset At, string Kind, string? Provider, string? ConnectionId, string? Code, string? Description);

/// <summary>
/// The last 200 failures and status changes, in memory: what an operator looks at first when something
/// breaks, without any tracing backend.
/// </summary>
internal sealed class EventFeed(TimeProvider time)
{
    public const int Capacity = 200;

    private readonly Queue<ProxyEvent> _events = new();
    private readonly Lock _lock = new();

    public void Record(string kind, string? provider, string? connectionId, string? code, string? description)
    {
        var entry = new ProxyEvent(time.GetUtcNow(), kind, provider, connectionId, code, description);
        lock (_lock)
        {
            if (_events.Count == Capacity)
            {
                _events.Dequeue();
            }

            _events.Enqueue(entry);
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<ProxyEvent> Snapshot()
    {
        lock (_lock)
        {
            return [.. _events.Reverse()];
        }
    }
}
