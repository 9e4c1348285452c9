using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Hosting;

public sealed class HealthEndpointsTests
{
    [Fact]
    public async Task Liveness_and_readiness_answer_when_the_store_and_key_are_ready()
    {
        await using var proxy = await ProxyHost.StartAsync();

        using var live = await proxy.Client.GetAsync("/healthz");
        using var ready = await proxy.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"vaultKey\":true", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_is_503_within_its_wait_when_the_store_hangs_and_liveness_still_answers()
    {
        CountingStore? store = null;
        await using var proxy = await ProxyHost.StartAsync(services: s => CountingStore.Wrap(s, created => store = created));
        var hung = new TaskCompletionSource();
        store!.PingsHeldUntil = hung.Task;

        // Without the wait, the answer never comes (this client gives up after 100 s).
        using var ready = await proxy.Client.GetAsync("/readyz");
        using var live = await proxy.Client.GetAsync("/healthz");
        hung.SetResult();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"store\":false", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
