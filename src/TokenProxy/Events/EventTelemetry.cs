using System.Diagnostics;
using Attributes = TokenProxy.Telemetry.Telemetry.Attributes;

namespace TokenProxy.Events;

/// <summary>
/// Committed events as OpenTelemetry sees them: a span event on the activity where the change happened (the refresh, the
/// revoke, the callback) and a log record, both with the event's type, ids, actor and OAuth error code. Never a value
/// from <see cref="StoredEvent.Data"/> other than the error code: data may name an account.
/// </summary>
internal static class EventTelemetry
{
    /// <summary>Called by the store once <paramref name="events"/> committed, on the writer's flow (so <see cref="Activity.Current"/> is the writer's).</summary>
    public static void Committed(IReadOnlyList<StoredEvent> events, ILogger logger)
    {
        var activity = Activity.Current;
        foreach (var e in events)
        {
            var code = ErrorCode(e);
            if (activity is not null)
            {
                var tags = new ActivityTagsCollection
                {
                    [Attributes.EventId] = e.Id,
                    [Attributes.EventActor] = e.Actor,
                };
                Add(tags, Attributes.ConnectionId, e.ConnectionId);
                Add(tags, Attributes.Provider, e.Provider);
                Add(tags, Attributes.Workspace, e.Workspace);
                Add(tags, Attributes.ErrorCode, code);
                activity.AddEvent(new ActivityEvent(e.Type, e.CreatedAt, tags));
            }

            Log.EventRecorded(logger, e.Type, e.Sequence, e.Actor, e.ConnectionId, e.Provider, e.Workspace, code);
        }
    }

    /// <summary>The OAuth error code a <c>connection.error</c> carries (RFC 6749 §5.2), if any.</summary>
    public static string? ErrorCode(StoredEvent e) => e.Data.TryGetPropertyValue("error", out var code) ? code?.GetValue<string>() : null;

    private static void Add(ActivityTagsCollection tags, string name, string? value)
    {
        if (value is not null)
        {
            tags[name] = value;
        }
    }
}
