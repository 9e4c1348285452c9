using TokenProxy.Events;

namespace TokenProxy.Admin;

/// <summary>One page of <c>GET /admin/api/events</c>: the events, newest first, and the cursor of the next (older) page, if any.</summary>
internal sealed record EventsPage(IReadOnlyList<StoredEvent> Items, string? Next);
