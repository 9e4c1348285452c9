using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>Threat: a bug or a trick builds a destination other than the provider's (docs/architecture.md §6: A4). The last check drops it.</summary>
public sealed class EgressGuardHandlerTests
{
    [Theory]
    [InlineData("https://evil.test/steal", "https://api.example.com/")]
    [InlineData("http://api.example.com/user", "https://api.example.com/")]
    [InlineData("https://api.example.com/other", "https://api.example.com/v1")]
    [InlineData("https://api.example.com/v10/user", "https://api.example.com/v1")]
    public async Task Request_outside_the_provider_api_is_dropped_before_any_connection_and_logged(string target, string allowed)
    {
        var inner = new RecordingHandler();
        var logs = new CapturedLogs();
        using var guard = new EgressGuardHandler(inner, new Uri(allowed), logs.CreateLogger("egress"));
        using var invoker = new HttpMessageInvoker(guard);
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Authorization = new("Bearer", "CANARYegress0123456789abcdefgh");

        await Assert.ThrowsAsync<EgressBlockedException>(() => invoker.SendAsync(request, CancellationToken.None));

        Assert.Equal(0, inner.Calls);
        Assert.Contains("Security: blocked a request", logs.All, StringComparison.Ordinal);
        Canary.AssertAbsent("CANARYegress0123456789abcdefgh", logs.All, "logs");
    }

    [Fact]
    public async Task Request_to_the_provider_api_goes_through()
    {
        var inner = new RecordingHandler();
        using var guard = new EgressGuardHandler(inner, new Uri("https://api.example.com/v1"), new CapturedLogs().CreateLogger("egress"));
        using var invoker = new HttpMessageInvoker(guard);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/v1/user");

        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Each_provider_has_its_own_guard_so_one_providers_invoker_never_reaches_anothers_api()
    {
        var inner = new RecordingHandler();
        using var invokers = new ForwarderInvoker(inner, new CapturedLogs().CreateLogger("egress"));
        var acme = Provider("acme", "https://api.acme.test/v1/");
        var other = Provider("other", "https://api.other.test/");

        using var toOther = new HttpRequestMessage(HttpMethod.Get, "https://api.other.test/user");
        await Assert.ThrowsAsync<EgressBlockedException>(() => invokers.For(acme).SendAsync(toOther, CancellationToken.None));
        using var toAcme = new HttpRequestMessage(HttpMethod.Get, "https://api.acme.test/v1/user");
        using var response = await invokers.For(acme).SendAsync(toAcme, CancellationToken.None);

        Assert.Equal(1, inner.Calls);
        Assert.Same(invokers.For(acme), invokers.For(acme));
        Assert.NotSame(invokers.For(acme), invokers.For(other));
    }

    private static ProviderDefinition Provider(string name, string apiBase) => new()
    {
        Name = name,
        DisplayName = name,
        ApiBaseUrl = new Uri(apiBase),
        TokenHeader = TokenHeaderFormat.TryParse(TokenHeaderFormat.Default, out _)!,
    };

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
