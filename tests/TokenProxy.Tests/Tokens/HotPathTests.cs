using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>In steady state a proxied request reads nothing from the store and decrypts nothing.</summary>
public sealed class HotPathTests
{
    [Fact]
    public async Task Steady_state_requests_do_no_store_read()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        CountingStore? counting = null;
        await using var proxy = await ProxyHost.StartAsync(ProxyHost.Provider("acme", upstream.Address), services => CountingStore.Wrap(services, created => counting = created));
        await proxy.ImportAsync("acme", Canary.New("access"));

        await proxy.Client.GetAsync("/acme/warm-up");
        var readsAfterWarmUp = counting!.Reads;
        for (var i = 0; i < 200; i++)
        {
            using var response = await proxy.Client.GetAsync($"/acme/item/{i}");
            response.EnsureSuccessStatusCode();
        }

        Assert.Equal(1L, readsAfterWarmUp);
        Assert.Equal(readsAfterWarmUp, counting.Reads);
        Assert.Equal(201, upstream.Requests.Count);
    }
}
