using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>Request paths an app's URL joining produces by mistake, answered with the proxy's own problem.</summary>
public sealed class RequestPathEdgeTests : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await ProxyScenario.StartAsync();

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    [Theory]
    [InlineData("//acme/items")]
    [InlineData("//nosuch")]
    public async Task A_path_starting_with_two_slashes_gets_the_proxys_own_unknown_provider_problem(string path)
    {
        // A base URL ending in '/' joined with "/acme/items" gives "//acme/items": the first segment names no provider,
        // and the answer must say so as every other unknown provider is answered (README, errors table), never cached.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_scenario.Proxy.Address.GetLeftPart(UriPartial.Authority) + path));

        using var response = await _scenario.Proxy.Client.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "unknown_provider");
        Assert.Empty(_scenario.Api.Requests);
    }
}
