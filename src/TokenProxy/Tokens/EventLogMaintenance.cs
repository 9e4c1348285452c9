using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TokenProxy.Events;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// The event log's background work, every <see cref="Interval"/>, off the request path: deletes events past
/// <c>Events:RetentionDays</c> in batches (short transactions, so writers and the data plane never wait long behind it),
/// and tells each token that will lapse within <c>Refresh:ExpiringWarning</c> once (<c>connection.expiring</c>, its
/// <see cref="NewEvent.Once"/> key naming the connection, the token and the lapse, so every later pass and every other
/// instance finds it written).
/// </summary>
internal sealed class EventLogMaintenance(
    IConnectionStore store, IEventStore events, TimeProvider time, IOptions<EventsOptions> options, ConnectionLapses lapses, ILogger<EventLogMaintenance> logger)
    : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>Events deleted per statement.</summary>
    internal const int PruneBatch = 1000;

    private readonly EventsOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            await RunAsync("expiring", WarnExpiringAsync, stoppingToken);
            await RunAsync("expired requests", TellExpiredRequestsAsync, stoppingToken);
            await RunAsync("retention", PruneAsync, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes every event older than the retention, a batch at a time; how many went.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(_options.RetentionDays);
        var total = 0;
        int deleted;
        do
        {
            deleted = await events.PruneAsync(cutoff, PruneBatch, cancellationToken);
            total += deleted;
        }
        while (deleted == PruneBatch);

        if (total > 0)
        {
            Events.Log.EventsPruned(logger, total, _options.RetentionDays);
        }

        return total;
    }

    /// <summary>
    /// Appends <c>connect_request.expired</c> for each request past its expiry while outstanding: no write marks that moment
    /// (a request is expired as soon as its time has passed), so a pass tells it, once, by its <see cref="NewEvent.Once"/> key.
    /// </summary>
    public async Task<int> TellExpiredRequestsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expired = (await store.ListConnectRequestsAsync(null, cancellationToken)).Where(r => r.StatusAt(now) == ConnectRequestStatus.Expired).ToList();
        if (expired.Count > 0)
        {
            await events.AppendAsync(
                [.. expired.Select(r => ConnectionEvents.Request(r, EventTypes.ConnectRequestExpired, EventTypes.ActorBackground) with { Once = $"{EventTypes.ConnectRequestExpired} {r.Id}" })],
                cancellationToken);
        }

        return expired.Count;
    }

    /// <summary>Appends <c>connection.expiring</c> for each active connection whose token lapses within the window and was not told yet; how many were considered.</summary>
    public async Task<int> WarnExpiringAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var warned = 0;
        foreach (var row in await store.ListAsync(cancellationToken))
        {
            if (lapses.WarningFor(row, now) is not { Lapsed: false, Token: var token, At: var at })
            {
                continue;
            }

            var data = new JsonObject { ["token"] = token, ["lapsesAt"] = at.ToString("O", CultureInfo.InvariantCulture) };
            var once = string.Create(CultureInfo.InvariantCulture, $"{EventTypes.ConnectionExpiring} {row.Id} {token} {at.ToUnixTimeMilliseconds()}");
            await events.AppendAsync([ConnectionEvents.About(row, EventTypes.ConnectionExpiring, EventTypes.ActorBackground, data) with { Once = once }], cancellationToken);
            warned++;
        }

        return warned;
    }

    private async Task RunAsync(string pass, Func<CancellationToken, Task<int>> work, CancellationToken stoppingToken)
    {
        try
        {
            await work(stoppingToken);
        }
        catch (StoreUnavailableException)
        {
            // The store logs its outage once; the next pass runs on schedule.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Events.Log.PassFailed(logger, pass, e);
        }
    }
}
