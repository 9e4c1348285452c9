namespace TokenProxy.Benchmarks.Concurrency;

/// <summary>The state of a connection's token when N requests arrive at once.</summary>
internal enum Scenario
{
    /// <summary>Valid and already in the proxy's memory: the steady state.</summary>
    Fresh,

    /// <summary>Was cached, has expired since: the first request refreshes, the others wait for that refresh.</summary>
    Expired,

    /// <summary>Expired and not cached (the first requests after a restart): every request misses the cache, then one refresh.</summary>
    ExpiredCold,
}
