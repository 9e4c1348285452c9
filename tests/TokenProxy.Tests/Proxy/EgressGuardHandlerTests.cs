using TokenProxy.Proxy;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>Threat: a bug or a trick builds a destination other than the provider's (checklist A4). The last check drops it.</summary>
public sealed class EgressGuardHandlerTests
{
    [Theory]
    [InlineData("https://evil.test/steal", "https://api.example.com/")]
    [InlineData("http://api.example.com/user", "https://api.example.com/")]
    [InlineData("https://api.example.com/other", "https://api.example.com/v1")]
    [InlineData("https://api.example.com/user", null)]
    public async Task Request_outside_the_provider_api_is_dropped_before_any_connection_and_logged(string target, string? allowed)
    {
        var inner = new RecordingHandler();
        var logs = new CapturedLogs();
        using var guard = new EgressGuardHandler(inner, logs.CreateLogger("egress"));
        using var invoker = new HttpMessageInvoker(guard);
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Authorization = new("Bearer", "CANARYegress0123456789abcdefgh");
        if (allowed is not null)
        {
            request.Options.Set(EgressGuardHandler.AllowedBase, new Uri(allowed));
        }

        await Assert.ThrowsAsync<EgressBlockedException>(() => invoker.SendAsync(request, CancellationToken.None));

        Assert.Equal(0, inner.Calls);
        Assert.Contains("Security: blocked a request", logs.All, StringComparison.Ordinal);
        Canary.AssertAbsent("CANARYegress0123456789abcdefgh", logs.All, "logs");
    }

    [Fact]
    public async Task Request_to_the_provider_api_goes_through()
    {
        var inner = new RecordingHandler();
        using var guard = new EgressGuardHandler(inner, new CapturedLogs().CreateLogger("egress"));
        using var invoker = new HttpMessageInvoker(guard);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/v1/user");
        request.Options.Set(EgressGuardHandler.AllowedBase, new Uri("https://api.example.com/v1"));

        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(1, inner.Calls);
    }

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
