using System.Collections.Concurrent;
using TokenProxy.Events;
using TokenProxy.Vault;

namespace TokenProxy.Webhooks;

/// <summary>
/// The outbox's worker, one per instance (docs/architecture.md §12). Each pass writes the outcomes of the sends that
/// finished since the last one (one transaction), fans new events out to every webhook (the deliveries and the moved
/// cursor in one transaction), then claims as many due deliveries as there are free sending slots, in one short
/// statement, and starts sending them, holding no database connection. A pass never waits for a send, and a receiver
/// that hangs holds at most <see cref="PerWebhook"/> slots until its timeout, not the deliveries to anyone else. Woken by
/// <see cref="IEventLog.Appended"/>, by the admin API and by each finished send, else every <see cref="PollInterval"/>.
/// </summary>
internal sealed class WebhookDispatcher(
    IWebhookStore store, IEventLog log, WebhookCatalog catalog, WebhookSender sender, WebhookInstrumentation instrumentation, TimeProvider time)
    : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The least time between two passes.</summary>
    private static readonly TimeSpan PassSpacing = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a claim holds: longer than any attempt (<see cref="WebhookHttp.Timeout"/>); a dead instance's lapses then.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(60);

    private const int FanOutBatch = 500;
    private const int ClaimBatch = 64;

    /// <summary>Sends under way at once, across webhooks.</summary>
    private const int Concurrency = 32;

    /// <summary>
    /// Sends under way at once to one webhook, across instances: a receiver that hangs holds this many slots, and the rest
    /// go on serving the others.
    /// </summary>
    internal const int PerWebhook = 8;

    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>
    /// The sends started, by delivery; each puts its outcome in <see cref="_finished"/> and wakes the loop, which drops
    /// the finished ones (a send may finish before it is added here).
    /// </summary>
    private readonly ConcurrentDictionary<long, Task> _sending = new();

    private readonly ConcurrentQueue<WebhookAttempt> _finished = new();

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
        await TryPrepareAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>What <see cref="StartAsync"/> does before sending: with the store out, the loop (if it runs) tries again.</summary>
    internal async Task TryPrepareAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PrepareAsync(cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            // Told by the store.
        }
    }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var names = await catalog.SyncConfiguredAsync(cancellationToken);
        await store.ReleaseOrphanedClaimsAsync(cancellationToken);
        Log.Configured(instrumentation.Logger, names.Count, names);
        foreach (var (webhook, workspace) in await catalog.WithoutWorkspaceAsync(cancellationToken))
        {
            Log.WorkspaceMissing(instrumentation.Logger, webhook, workspace);
        }

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

                    busy = await RecordFinishedAsync() | await FanOutAsync(stoppingToken) | await DeliverAsync(stoppingToken);
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

                // Wakes that come meanwhile (each event appended, each send that ends) wait for the next pass, so a burst
                // is written in a few transactions rather than several per event, which would compete with the writers
                // of the events for the store.
                await Task.Delay(PassSpacing, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            log.Appended -= OnAppended;
            // The sends under way are finished even while stopping (each ends within WebhookHttp.Timeout) and their
            // outcomes written, so a graceful stop sends nothing twice.
            await Task.WhenAll(_sending.Values);
            await RecordFinishedAsync();
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
        Asks(webhook, events.Contains, e.Type, e.Workspace) ? new WebhookDraft(e.ConnectionId ?? e.Id, WebhookPayload.For(e)) : null;

    /// <summary>Whether the webhook asks for an event of this type and workspace (README, Webhooks: <c>Events</c>, <c>Workspace</c>).</summary>
    private static bool Asks(WebhookRow webhook, Func<string, bool> events, string type, string? workspace) =>
        events(type) && (webhook.Workspace is null || workspace == webhook.Workspace);

    /// <summary>
    /// Whether the webhook still asks for a delivery queued under its name: it may have been given another workspace or
    /// other events since (PUT /admin/api/webhooks/{name}), and what it asks for now decides, so that a workspace's event
    /// never goes to the receiver of the workspace the webhook was moved to. The test event is always asked for.
    /// </summary>
    private static bool StillAsks(WebhookRow webhook, WebhookDelivery delivery) =>
        delivery.EventType == WebhookPayload.TestType
        || Asks(webhook, type => webhook.Events.Contains(type, StringComparer.Ordinal), delivery.EventType, WebhookPayload.WorkspaceOf(delivery.Payload));

    /// <summary>Writes the outcomes of the sends that finished; true when there were any.</summary>
    private async Task<bool> RecordFinishedAsync()
    {
        var attempts = new List<WebhookAttempt>();
        while (_finished.TryDequeue(out var attempt))
        {
            attempts.Add(attempt);
        }

        if (attempts.Count == 0)
        {
            return false;
        }

        try
        {
            await store.RecordAttemptsAsync(_owner, attempts, CancellationToken.None);
        }
        catch
        {
            // Kept for the next pass (the store may be out); their claims hold meanwhile.
            foreach (var attempt in attempts)
            {
                _finished.Enqueue(attempt);
            }

            throw;
        }

        return true;
    }

    /// <summary>Claims due deliveries for the free sending slots and starts them; true when every slot was filled (more may be due).</summary>
    private async Task<bool> DeliverAsync(CancellationToken stoppingToken)
    {
        foreach (var (id, send) in _sending)
        {
            if (send.IsCompleted)
            {
                _sending.TryRemove(id, out _);
            }
        }

        var room = Math.Min(ClaimBatch, Concurrency - _sending.Count);
        if (room <= 0)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var claimed = await store.ClaimDeliveriesAsync(_owner, now, now + ClaimLease, room, PerWebhook, stoppingToken);
        if (claimed.Count == 0)
        {
            return false;
        }

        var webhooks = (await store.ListWebhooksAsync(stoppingToken)).ToDictionary(w => w.Name, StringComparer.Ordinal);
        foreach (var delivery in claimed)
        {
            // Not stoppingToken: a send under way is finished while stopping (see ExecuteAsync).
            _sending[delivery.Id] = Task.Run(() => SendAsync(delivery, webhooks.GetValueOrDefault(delivery.Webhook), now), CancellationToken.None);
        }

        return claimed.Count == room;
    }

    private const string NoLongerAsked = "not sent: the webhook no longer asks for this event (its workspace or events were changed after it was queued)";

    private async Task SendAsync(WebhookDelivery delivery, WebhookRow? webhook, DateTimeOffset claimedAt)
    {
        try
        {
            if (webhook is null)
            {
                // Deleted meanwhile, with its deliveries.
                return;
            }

            if (!StillAsks(webhook, delivery))
            {
                _finished.Enqueue(new WebhookAttempt(
                    delivery.Id, WebhookDelivery.Failed, delivery.Attempts, claimedAt, delivery.LastStatus, NoLongerAsked, claimedAt));
                return;
            }

            if (!catalog.TryOpenSecret(webhook, out var secret))
            {
                Log.SecretUnreadable(instrumentation.Logger, webhook.Name);
                _finished.Enqueue(new WebhookAttempt(
                    delivery.Id, WebhookDelivery.Pending, delivery.Attempts, claimedAt + ClaimLease, delivery.LastStatus, "the secret cannot be opened", claimedAt));
                return;
            }

            _finished.Enqueue(await sender.SendAsync(webhook, secret, delivery, CancellationToken.None));
        }
        catch (Exception e)
        {
            // The claim lapses and the delivery is tried again.
            Log.PassFailed(instrumentation.Logger, e);
        }
        finally
        {
            Wake();
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
