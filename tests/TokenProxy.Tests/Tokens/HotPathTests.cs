using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

/// <summary>In steady state a proxied request reads nothing from the store and decrypts nothing.</summary>
public sealed class HotPathTests
{
    [Fact]
    public async Task Steady_state_requests_do_no_store_read()
    {
        CountingStore? counting = null;
        await using var scenario = await ProxyScenario.StartAsync(services: services => CountingStore.Wrap(services, created => counting = created));
        await scenario.Proxy.ImportAsync("acme", Canary.New("access"));

        await scenario.Proxy.Client.GetAsync("/acme/warm-up");
        var readsAfterWarmUp = counting!.Reads;
        for (var i = 0; i < 200; i++)
        {
            using var response = await scenario.Proxy.Client.GetAsync($"/acme/item/{i}");
            response.EnsureSuccessStatusCode();
        }

        Assert.Equal(1L, readsAfterWarmUp);
        Assert.Equal(readsAfterWarmUp, counting.Reads);
        Assert.Equal(201, scenario.Api.Requests.Count);
    }
}
