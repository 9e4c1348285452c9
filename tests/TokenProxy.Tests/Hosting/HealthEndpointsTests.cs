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
}
