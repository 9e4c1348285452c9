namespace TokenProxy.Vault;

/// <summary>
/// The store cannot be used right now: PostgreSQL unreachable or restarting, or a SQLite file that cannot be written
/// (read-only file system, disk full). An outage, not a bug: the request that needed the store gets
/// <c>503 store_unavailable</c> with <c>Retry-After</c>, and the store logs the outage once, never per request.
/// </summary>
internal sealed class StoreUnavailableException : Exception
{
    /// <summary>What a client is told to wait before trying again: the listener's longest reconnect delay.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
