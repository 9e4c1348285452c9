using Microsoft.Extensions.Logging.Abstractions;
using TokenProxy.Proxy;

namespace TokenProxy.Tests.Proxy;

/// <summary>One egress guard per API base, each allowing only its own base; the number kept is bounded (docs/architecture.md §6, A4).</summary>
public sealed class ForwarderInvokerTests
{
    [Fact]
    public async Task Each_api_base_has_its_own_guard_and_the_number_kept_is_bounded()
    {
        using var invoker = new ForwarderInvoker(new Answering(), NullLogger.Instance);
        var acme = invoker.For(new Uri("https://acme.zendesk.example/api/v2"));

        Assert.Same(acme, invoker.For(new Uri("https://acme.zendesk.example/api/v2")));
        using var ok = await acme.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://acme.zendesk.example/api/v2/tickets"), CancellationToken.None);
        await Assert.ThrowsAsync<EgressBlockedException>(() =>
            acme.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://other.zendesk.example/api/v2/tickets"), CancellationToken.None));

        for (var i = 0; i < ForwarderInvoker.MaxCachedBases + 100; i++)
        {
            var beyond = invoker.For(new Uri($"https://t{i}.zendesk.example/api/v2"));
            await Assert.ThrowsAsync<EgressBlockedException>(() =>
                beyond.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://acme.zendesk.example/api/v2/tickets"), CancellationToken.None));
        }

        Assert.Equal(ForwarderInvoker.MaxCachedBases, invoker.CachedBases);
        Assert.Same(acme, invoker.For(new Uri("https://acme.zendesk.example/api/v2")));
    }

    /// <summary>Answers every request it is given: only what the guard lets through reaches it.</summary>
    private sealed class Answering : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
    }
}
