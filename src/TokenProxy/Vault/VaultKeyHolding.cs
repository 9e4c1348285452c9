namespace TokenProxy.Vault;

/// <summary>
/// Keeps this instance's record in <see cref="IKeyHolders"/> while it runs, on a shared store: renewed every
/// <see cref="Renewal"/>, removed at a graceful stop; one of a process that died lapses after <see cref="Lifetime"/>.
/// </summary>
internal sealed class VaultKeyHolding(IConnectionStore store, VaultKeyRing ring, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a record counts without renewal. Long, since an instance cut off from the store cannot renew and must still
    /// count (a rotation would break it); the cost is that one killed without a stop holds rotations back that long.
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not IKeyHolders holders)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Task next = Task.Delay(Renewal, time, stoppingToken);
                try
                {
                    await holders.RecordKeysAsync(_instance, [.. ring.Keys.Select(k => k.Id)], stoppingToken);
                }
                catch (Exception e) when (e is StoreUnavailableException or System.Data.Common.DbException && !stoppingToken.IsCancellationRequested)
                {
                    // The store logs an outage once. During one, the record is renewed as soon as the store is back, so
                    // that a rotation right after a long outage sees this instance.
                    if (store.WhenAvailable is { IsCompleted: false } back)
                    {
                        next = Task.WhenAny(next, back);
                    }
                }

                await next;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (store is IKeyHolders holders)
        {
            try
            {
                await holders.ForgetAsync(_instance, cancellationToken);
            }
            catch (Exception e) when (e is StoreUnavailableException or System.Data.Common.DbException or OperationCanceledException)
            {
                // The record lapses by itself.
            }
        }
    }
}
