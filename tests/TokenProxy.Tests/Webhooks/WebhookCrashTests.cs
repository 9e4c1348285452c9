using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Webhooks;

/// <summary>
/// The outbox is durable: the proxy killed (SIGKILL) while deliveries are under way and pending loses none of them, and
/// they go out as soon as it is started again on the same store.
/// </summary>
public sealed class WebhookCrashTests
{
    [Fact]
    public async Task Deliveries_under_way_and_pending_when_the_process_is_killed_arrive_after_the_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var key = VaultKey.Generate().ToBase64();
        var directory = ProxyHost.NewDataDirectory();
        var settings = WebhookSetup.Settings(receiver.Url, receiver.Secret);
        settings["TokenProxy:DataDirectory"] = directory;
        var ids = new List<string>();
        // The receiver hangs: the first event of each connection is in flight, the second one waits behind it. Those held
        // answers are released only at the end, so nothing the killed process sent is counted as delivered.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            receiver.Hold = held;
            await using (var first = await ProxyProcess.StartAsync(settings, key))
            {
                for (var i = 0; i < 3; i++)
                {
                    using var import = await first.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
                        new { provider = "acme", accessToken = $"access-{i}", label = $"c{i}" }));
                    ids.Add((await import.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!);
                }

                foreach (var id in ids)
                {
                    using var delete = await first.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections/{id}"));
                }

                await WaitForInFlightAsync(receiver, 3);
                first.Kill();
            }

            receiver.Hold = null;
            await using var second = await ProxyProcess.StartAsync(settings, key);
            var started = DateTime.UtcNow;
            var received = await receiver.WaitForAsync(r => r.Where(x => x.Status == 200).Select(x => x.EventId).Distinct().Count() == 6, "six events answered 200", TimeSpan.FromSeconds(30));

            Assert.All(received.Where(r => r.Status == 200), r => Assert.True(r.SignatureValid));
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        }
        finally
        {
            held.TrySetResult();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WaitForInFlightAsync(WebhookReceiver receiver, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (receiver.Arrived < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{receiver.Arrived} deliveries reached the receiver");
            await Task.Delay(50);
        }
    }
}
