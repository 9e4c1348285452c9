using TokenProxy.Events;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// What <see cref="ConnectionPage"/> shows: one connection, the outcome keyword of the action that led here, if any, and
/// the connection's latest events (newest first).
/// </summary>
internal sealed record ConnectionPageModel(ConnectionRow Row, ConnectionView View, string? Outcome, IReadOnlyList<StoredEvent> History);
