namespace TokenProxy.Events;

/// <summary>
/// The event log as the store keeps it: appended in the transaction of the change it describes (the store's write
/// methods take the events), or alone with <see cref="AppendAsync"/> when no row changes; read by sequence
/// (<see cref="IEventLog"/>) or filtered for the admin API; pruned past its retention.
/// </summary>
internal interface IEventStore : IEventLog
{
    /// <summary>Appends events that accompany no row change (a provider's circuit, a key rotation), in one transaction.</summary>
    Task AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken);

    /// <summary>One page of events matching <paramref name="query"/>, newest first.</summary>
    Task<IReadOnlyList<StoredEvent>> QueryAsync(EventQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> of the oldest events created before <paramref name="before"/>; how many went.</summary>
    Task<int> PruneAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);
}
