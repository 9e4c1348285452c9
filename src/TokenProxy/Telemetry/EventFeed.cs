namespace TokenProxy.Telemetry;

/// <summary>
/// The last 200 failures and status changes, in memory: what an operator looks at first when something
/// breaks, without any tracing backend. A failure that repeats (same kind, provider, connection and code) stays
/// one entry with a count and its last time, so one noisy failure cannot push every other event out. A failed connect or
/// callback has one code for every refusal, so its description tells repeats apart: a wrong scope then a wrong value stay
/// two entries rather than one that shows only the latest.
/// </summary>
internal sealed class EventFeed(TimeProvider time)
{
    public const int Capacity = 200;

    // Oldest first; the index finds a repeat's entry wherever it is.
    private readonly LinkedList<ProxyEvent> _events = new();
    private readonly Dictionary<(string, string?, string?, string?, string?), LinkedListNode<ProxyEvent>> _index = new();
    private readonly Lock _lock = new();

    public void Record(string kind, string? provider, string? connectionId, string? code, string? description)
    {
        var now = time.GetUtcNow();
        var entry = new ProxyEvent(now, kind, provider, connectionId, code, description, 1, now);
        lock (_lock)
        {
            if (_index.Remove(Key(entry), out var repeated))
            {
                entry = entry with { Count = repeated.Value.Count + 1, FirstAt = repeated.Value.FirstAt };
                _events.Remove(repeated);
            }
            else if (_events.Count == Capacity)
            {
                _index.Remove(Key(_events.First!.Value));
                _events.RemoveFirst();
            }

            _index[Key(entry)] = _events.AddLast(entry);
        }
    }

    /// <summary>Newest first (by last time).</summary>
    public IReadOnlyList<ProxyEvent> Snapshot()
    {
        lock (_lock)
        {
            return [.. _events.Reverse()];
        }
    }

    private static (string, string?, string?, string?, string?) Key(ProxyEvent e) =>
        (e.Kind, e.Provider, e.ConnectionId, e.Code, e.Kind is "connect_failed" or "callback_failed" ? e.Description : null);
}
