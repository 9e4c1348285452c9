using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Webhooks;

/// <summary>
/// Webhooks as a receiver sees them, on each store: signed events from the durable outbox, every one delivered once and
/// in order per connection through an outage, and the answers that are not retried.
/// </summary>
public abstract class WebhookDeliveryTests : IAsyncLifetime
{
    private protected WebhookReceiver Receiver { get; private set; } = null!;

    private protected ProxyHost Proxy { get; private set; } = null!;

    /// <summary>Points the proxy at the store under test.</summary>
    private protected abstract void UseStore(Dictionary<string, string?> settings);

    public virtual async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Proxy = await StartProxyAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    private protected async Task<ProxyHost> StartProxyAsync(Action<IServiceCollection>? services = null, Dictionary<string, string?>? more = null)
    {
        var settings = WebhookSetup.Settings(Receiver.Url, Receiver.Secret);
        UseStore(settings);
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return await ProxyHost.StartAsync(settings, services);
    }

    [Fact]
    public async Task An_event_is_posted_signed_with_the_event_as_the_events_api_shows_it()
    {
        var id = (await Proxy.ImportAsync("acme", "access-1")).GetProperty("id").GetString()!;

        var received = Assert.Single(await Receiver.WaitForAsync(r => r.Count >= 1, "the connection.created event"));
        var shown = (await Proxy.Client.GetFromJsonAsync<JsonElement>($"/admin/api/events?connection={id}")).GetProperty("items")[0];
        Assert.True(received.SignatureValid, received.Signature);
        Assert.Equal("POST", received.Method);
        Assert.Equal("application/json; charset=utf-8", received.ContentType);
        Assert.Equal(shown.GetProperty("id").GetString(), received.EventId);
        Assert.Equal("connection.created", received.EventType);
        var body = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal(
            ["id", "type", "createdAt", "workspace", "endUser", "connectionId", "provider", "actor", "data"],
            body.EnumerateObject().Select(p => p.Name));
        foreach (var property in body.EnumerateObject())
        {
            Assert.Equal(shown.GetProperty(property.Name).GetRawText(), property.Value.GetRawText());
        }

        var t = long.Parse(received.Signature.Split(',')[0]["t=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(t, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task A_receiver_down_for_a_while_then_up_gets_every_event_once_and_each_connections_in_order()
    {
        Receiver.Respond = n => n < 6 ? (503, null, null) : (200, null, null);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Proxy.ImportAsync("acme", $"access-{i}", label: $"c{i}")).GetProperty("id").GetString()!);
        }

        foreach (var id in ids)
        {
            using var delete = await Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections/{id}"));
        }

        var received = await Receiver.WaitForAsync(r => r.Where(x => x.Status == 200).Select(x => x.EventId).Distinct().Count() == 6, "six events answered 200");
        var delivered = received.Where(r => r.Status == 200).ToList();
        Assert.Contains(received, r => r.Status == 503);
        Assert.Equal(6, delivered.Count);
        Assert.All(received, r => Assert.True(r.SignatureValid));
        foreach (var id in ids)
        {
            var ofConnection = delivered.Where(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("connectionId").GetString() == id).Select(r => r.EventType);
            Assert.Equal(["connection.created", "connection.deleted"], ofConnection);
        }
    }

    [Fact]
    public async Task A_receiver_that_hangs_holds_up_only_its_own_deliveries()
    {
        await using var hanging = await WebhookReceiver.StartAsync();
        hanging.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Proxy.DisposeAsync();
        var more = WebhookSetup.Settings(hanging.Url, hanging.Secret, name: "hanging");
        Proxy = await StartProxyAsync(more: more);

        await Proxy.ImportAsync("acme", "access-1", label: "first");
        await Receiver.WaitForAsync(r => r.Count >= 1, "the first event at the receiver that answers");
        await WaitUntilAsync(() => hanging.Arrived >= 1, "the first event at the receiver that hangs");
        var started = DateTime.UtcNow;
        await Proxy.ImportAsync("acme", "access-2", label: "second");

        // The second event reaches the receiver that answers while the first still waits on the one that hangs (an
        // attempt times out after 10 s): nothing waits for a send under way to finish before sending the next.
        await Receiver.WaitForAsync(r => r.Count >= 2, "the second event at the receiver that answers", within: TimeSpan.FromSeconds(5));
        Assert.True(DateTime.UtcNow - started < global::TokenProxy.Webhooks.WebhookHttp.Timeout, "the second event waited for the hanging send");
        Assert.Empty(hanging.Requests);
        hanging.Hold.TrySetResult();
    }

    [Fact]
    public async Task A_receiver_that_hangs_with_a_backlog_holds_a_few_sends_and_the_other_webhook_gets_every_event_meanwhile()
    {
        await using var hanging = await WebhookReceiver.StartAsync();
        hanging.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Proxy.DisposeAsync();
        Proxy = await StartProxyAsync(more: WebhookSetup.Settings(hanging.Url, hanging.Secret, name: "hanging"));
        const int Connections = 48;
        var started = DateTime.UtcNow;

        // Each connection orders its own events: 48 deliveries per webhook can be sent at once, more than all the slots.
        for (var i = 0; i < Connections; i++)
        {
            await Proxy.ImportAsync("acme", $"access-{i}", label: $"c{i}");
        }

        await Receiver.WaitForAsync(r => r.Count >= Connections, "every event at the receiver that answers", within: TimeSpan.FromSeconds(8));
        Assert.True(DateTime.UtcNow - started < global::TokenProxy.Webhooks.WebhookHttp.Timeout, "the events waited for sends to the receiver that hangs");
        Assert.InRange(hanging.Arrived, 1, global::TokenProxy.Webhooks.WebhookDispatcher.PerWebhook);
        hanging.Hold.TrySetResult();
    }

    private static async Task WaitUntilAsync(Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} never happened");
            await Task.Delay(20);
        }
    }

    [Theory]
    [InlineData(410)]
    [InlineData(400)]
    public async Task A_refusal_other_than_408_or_429_is_not_retried_and_is_recorded_failed(int status)
    {
        Receiver.Respond = n => n == 0 ? (status, null, null) : (200, null, null);
        await Proxy.ImportAsync("acme", "access-1");
        var refused = Assert.Single(await Receiver.WaitForAsync(r => r.Count >= 1, "the first event"));

        // A test event sent afterwards arrives: the worker ran on, and never tried the refused event again.
        var test = await WebhookSetup.TestEventAsync(Proxy);
        var received = await Receiver.WaitForAsync(r => r.Any(x => x.EventId == test), "the test event");
        Assert.Single(received, r => r.EventId == refused.EventId);
        var failed = Assert.Single(await WebhookSetup.DeliveriesAsync(Proxy), d => d.GetProperty("eventId").GetString() == refused.EventId);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(status, failed.GetProperty("lastStatus").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("nextAttemptAt").ValueKind);
    }

    [Fact]
    public async Task A_redirect_is_never_followed_nor_retried()
    {
        await using var elsewhere = await WebhookReceiver.StartAsync();
        Receiver.Respond = n => n == 0 ? (307, null, elsewhere.Url.AbsoluteUri) : (200, null, null);
        await Proxy.ImportAsync("acme", "access-1");
        var redirected = Assert.Single(await Receiver.WaitForAsync(r => r.Count >= 1, "the first event"));

        var test = await WebhookSetup.TestEventAsync(Proxy);
        var received = await Receiver.WaitForAsync(r => r.Any(x => x.EventId == test), "the test event");
        Assert.Single(received, r => r.EventId == redirected.EventId);
        Assert.Empty(elsewhere.Requests);
        var failed = Assert.Single(await WebhookSetup.DeliveriesAsync(Proxy), d => d.GetProperty("eventId").GetString() == redirected.EventId);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(307, failed.GetProperty("lastStatus").GetInt32());
        Assert.Contains("redirect", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }
}
