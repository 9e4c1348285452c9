using System.Diagnostics;
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

    [Fact]
    public async Task Only_a_request_in_a_recorded_trace_goes_through_the_traced_handler_and_each_handler_is_guarded()
    {
        var traced = new Answering();
        var untraced = new Answering();
        using var invoker = new ForwarderInvoker(traced, untraced, NullLogger.Instance);
        var api = new Uri("https://api.acme.example/v1");

        await SendAsync(invoker, api, "https://api.acme.example/v1/none");
        using (Start(ActivityTraceFlags.None))
        {
            await SendAsync(invoker, api, "https://api.acme.example/v1/dropped");
        }

        using (Start(ActivityTraceFlags.Recorded))
        {
            await SendAsync(invoker, api, "https://api.acme.example/v1/recorded");
            await Assert.ThrowsAsync<EgressBlockedException>(() => SendAsync(invoker, api, "https://other.example/v1/recorded"));
        }

        await Assert.ThrowsAsync<EgressBlockedException>(() => SendAsync(invoker, api, "https://other.example/v1/none"));
        Assert.Equal(["/v1/recorded"], traced.Paths);
        Assert.Equal(["/v1/none", "/v1/dropped"], untraced.Paths);
    }

    private static Activity Start(ActivityTraceFlags flags) =>
        new Activity("request") { ActivityTraceFlags = flags }.SetIdFormat(ActivityIdFormat.W3C).Start();

    private static async Task SendAsync(ForwarderInvoker invoker, Uri api, string target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        using var response = await invoker.For(api).SendAsync(request, CancellationToken.None);
    }

    /// <summary>Answers every request it is given: only what the guard lets through reaches it.</summary>
    private sealed class Answering : HttpMessageHandler
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Paths { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Paths.Enqueue(request.RequestUri!.AbsolutePath);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
