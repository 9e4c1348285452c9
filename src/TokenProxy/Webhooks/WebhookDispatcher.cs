using TokenProxy.Events;
using TokenProxy.Vault;

namespace TokenProxy.Webhooks;

/// <summary>
/// The outbox's worker, one per instance (docs/architecture.md §12). Each pass fans new events out to every webhook (the
/// deliveries and the moved cursor in one transaction), then claims a batch of due deliveries in one short statement,
/// sends them with bounded concurrency holding no database connection, and writes their outcomes in one transaction.
/// Woken by <see cref="IEventLog.Appended"/> and by the admin API, else every <see cref="PollInterval"/>.
/// </summary>
internal sealed class WebhookDispatcher(
    IWebhookStore store, IEventLog log, WebhookCatalog catalog, WebhookSender sender, WebhookInstrumentation instrumentation, TimeProvider time)
    : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a claim holds: longer than any attempt (<see cref="WebhookHttp.Timeout"/>); a dead instance's lapses then.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(60);

    private const int FanOutBatch = 500;
    private const int ClaimBatch = 64;
    private const int Concurrency = 16;

    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Runs a pass now rather than at the next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken.
            }
        }
    }

    private bool _ready;

    /// <summary>
    /// Writes the configured webhooks before the host serves: a webhook starts at the newest event, so one written after
    /// the first requests would miss their events. With the store out, the loop tries again.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PrepareAsync(cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            // Told by the store; the loop retries.
        }

        await base.StartAsync(cancellationToken);
    }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var names = await catalog.SyncConfiguredAsync(cancellationToken);
        await store.ReleaseOrphanedClaimsAsync(cancellationToken);
        Log.Configured(instrumentation.Logger, names.Count, names);
        _ready = true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        log.Appended += OnAppended;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var busy = false;
                try
                {
                    if (!_ready)
                    {
                        await PrepareAsync(stoppingToken);
                    }

                    busy = await FanOutAsync(stoppingToken) | await DeliverAsync(stoppingToken);
                }
                catch (StoreUnavailableException)
                {
                    // The store logs an outage once when it starts and once when it ends; the next pass tries again.
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.PassFailed(instrumentation.Logger, e);
                }

                if (!busy)
                {
                    await WaitAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            log.Appended -= OnAppended;
        }
    }

    private void OnAppended(long sequence) => Wake();

    private async Task WaitAsync(CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        poll.CancelAfter(PollInterval);
        try
        {
            await _wake.WaitAsync(Timeout.InfiniteTimeSpan, poll.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed.
        }
    }

    /// <summary>Fans out every webhook's new events; true when one still has more.</summary>
    private async Task<bool> FanOutAsync(CancellationToken cancellationToken)
    {
        var more = false;
        foreach (var webhook in await store.ListWebhooksAsync(cancellationToken))
        {
            var events = webhook.Events.ToHashSet(StringComparer.Ordinal);
            var read = await store.FanOutAsync(webhook.Name, FanOutBatch, time.GetUtcNow(), e => Draft(webhook, events, e), cancellationToken);
            more |= read == FanOutBatch;
        }

        return more;
    }

    private static WebhookDraft? Draft(WebhookRow webhook, HashSet<string> events, StoredEvent e) =>
        events.Contains(e.Type) && (webhook.Workspace is null || e.Workspace == webhook.Workspace)
            ? new WebhookDraft(e.ConnectionId ?? e.Id, WebhookPayload.For(e))
            : null;

    /// <summary>Sends one claimed batch; true when the batch was full (more may be due).</summary>
    private async Task<bool> DeliverAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var claimed = await store.ClaimDeliveriesAsync(_owner, now, now + ClaimLease, ClaimBatch, stoppingToken);
        if (claimed.Count == 0)
        {
            return false;
        }

        var webhooks = (await store.ListWebhooksAsync(stoppingToken)).ToDictionary(w => w.Name, StringComparer.Ordinal);
        var attempts = new WebhookAttempt?[claimed.Count];
        // A batch under way is finished even while stopping (each attempt ends within WebhookHttp.Timeout) and its outcomes
        // written, so a graceful stop sends nothing twice.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, claimed.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
            async (i, cancellationToken) =>
            {
                var delivery = claimed[i];
                if (!webhooks.TryGetValue(delivery.Webhook, out var webhook))
                {
                    return;
                }

                if (!catalog.TryOpenSecret(webhook, out var secret))
                {
                    Log.SecretUnreadable(instrumentation.Logger, webhook.Name);
                    attempts[i] = new WebhookAttempt(delivery.Id, WebhookDelivery.Pending, delivery.Attempts, now + ClaimLease, delivery.LastStatus, "the secret cannot be opened", now);
                    return;
                }

                attempts[i] = await sender.SendAsync(webhook, secret, delivery, cancellationToken);
            });
        await store.RecordAttemptsAsync(_owner, [.. attempts.OfType<WebhookAttempt>()], CancellationToken.None);
        return claimed.Count == ClaimBatch;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
