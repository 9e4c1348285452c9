namespace TokenProxy.Vault;

/// <summary>
/// The one store object the host opens: <see cref="IConnectionStore"/> and <see cref="Events.IEventStore"/> both resolve
/// to it, so what wraps the connection store (an embedding host, the tests) leaves the event log on the same database
/// and transactions.
/// </summary>
internal sealed record OpenedStore(IConnectionStore Store);
