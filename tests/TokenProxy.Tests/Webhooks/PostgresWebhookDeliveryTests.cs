using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Webhooks;

/// <summary>
/// Webhook delivery on a shared store, and what only it does: several instances share one outbox, and each event reaches
/// the receiver once, from whichever instance claimed it.
/// </summary>
[Collection(PostgresTests.Collection)]
public sealed class PostgresWebhookDeliveryTests(PostgresServer server) : WebhookDeliveryTests
{
    private PostgresStore _store = null!;

    public override async Task InitializeAsync()
    {
        _store = await PostgresStore.CreateAsync(server);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _store.DisposeAsync();
    }

    private protected override void UseStore(Dictionary<string, string?> settings) => _store.Apply(settings);

    [Fact]
    public async Task Three_instances_on_one_database_deliver_each_event_once()
    {
        await using var second = await StartProxyAsync();
        await using var third = await StartProxyAsync();
        var instances = new[] { Proxy, second, third };
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add((await instances[i % 3].ImportAsync("acme", $"access-{i}", label: $"c{i}")).GetProperty("id").GetString()!);
        }

        var received = await Receiver.WaitForAsync(r => r.Select(x => x.EventId).Distinct().Count() == 30, "30 events");
        // Every instance has run passes since (each one's test event arrived): none delivers any of the 30 again.
        foreach (var instance in instances)
        {
            var test = await WebhookSetup.TestEventAsync(instance);
            received = await Receiver.WaitForAsync(r => r.Any(x => x.EventId == test), "the test event");
        }

        var events = received.Where(r => r.EventType == "connection.created").ToList();
        Assert.Equal(30, events.Count);
        Assert.Equal(30, events.Select(e => e.EventId).Distinct().Count());
        Assert.All(events, e => Assert.True(e.SignatureValid));
    }
}
