using System.Globalization;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Webhooks;

/// <summary>A receiver's 429 with <c>Retry-After</c> is honoured: the next try is that long after the refused one, on the proxy's clock.</summary>
public sealed class WebhookRetryAfterTests
{
    [Fact]
    public async Task A_429_with_retry_after_is_tried_again_after_exactly_that_long()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = n => n == 0 ? (429, "120", null) : (200, null, null);
        var clock = new DrivenClock();
        await using var proxy = await ProxyHost.StartAsync(
            WebhookSetup.Settings(receiver.Url, receiver.Secret), s => s.AddSingleton<TimeProvider>(clock));

        var test = await WebhookSetup.TestEventAsync(proxy);
        await receiver.WaitForAsync(r => r.Count == 1, "the first try");
        var waiting = await WebhookSetup.WaitForDeliveryAsync(proxy, d => d.GetProperty("attempts").GetInt32() == 1);
        clock.Advance(TimeSpan.FromSeconds(120));
        var received = await receiver.WaitForAsync(r => r.Count == 2, "the second try");

        Assert.Equal("pending", waiting.GetProperty("status").GetString());
        Assert.Equal(429, waiting.GetProperty("lastStatus").GetInt32());
        Assert.Equal(
            TimeSpan.FromSeconds(120),
            waiting.GetProperty("nextAttemptAt").GetDateTimeOffset() - waiting.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.All(received, r => Assert.Equal(test, r.EventId));
        Assert.Equal(120, SignedAt(received[1]) - SignedAt(received[0]));
        Assert.Equal(200, received[1].Status);
    }

    private static long SignedAt(WebhookReceiver.Received received) =>
        long.Parse(received.Signature.Split(',')[0]["t=".Length..], CultureInfo.InvariantCulture);
}
