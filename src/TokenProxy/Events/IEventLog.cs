namespace TokenProxy.Events;

/// <summary>The committed events in <see cref="StoredEvent.Sequence"/> order, as every instance sharing the store sees them.</summary>
internal interface IEventLog
{
    /// <summary>Up to <paramref name="limit"/> events whose sequence is greater than <paramref name="afterSequence"/>, oldest first.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>Raised (with the highest new sequence it knows of) after events commit here or, where the store can tell, in another instance.</summary>
    event Action<long>? Appended;
}
