namespace TokenProxy.Vault;

/// <summary>
/// Keeps this instance's record in <see cref="IKeyHolders"/> while it runs, on a shared store: renewed every
/// <see cref="Renewal"/>, removed at a graceful stop; one of a process that died lapses after <see cref="Lifetime"/>.
/// </summary>
internal sealed class VaultKeyHolding(IConnectionStore store, VaultKeyRing ring, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(20);

    /// <summary>How long a record counts without renewal: three renewals, so a store hiccup does not hide an instance.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

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
                try
                {
                    await holders.RecordKeysAsync(_instance, [.. ring.Keys.Select(k => k.Id)], stoppingToken);
                }
                catch (Exception e) when (e is StoreUnavailableException or System.Data.Common.DbException && !stoppingToken.IsCancellationRequested)
                {
                    // The store logs an outage once; the next renewal tries again.
                }

                await Task.Delay(Renewal, time, stoppingToken);
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
