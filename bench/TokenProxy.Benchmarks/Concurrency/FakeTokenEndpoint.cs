using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Benchmarks.Concurrency;

/// <summary>
/// An OAuth token endpoint on loopback (the minimum of the tests' FakeAuthorizationServer): every refresh is
/// counted, answered after <c>delay</c> (a real provider's latency), with a new access token, a rotated refresh
/// token and a one-hour lifetime.
/// </summary>
internal sealed class FakeTokenEndpoint : IAsyncDisposable
{
    public const string ClientSecret = "bench-client-secret-0123456789abcdef";

    private readonly LoopbackServer _server;
    private long _calls;

    private FakeTokenEndpoint(LoopbackServer server) => _server = server;

    public Uri Address => _server.Address;

    public long Calls => Interlocked.Read(ref _calls);

    public static async Task<FakeTokenEndpoint> StartAsync(TimeSpan delay)
    {
        FakeTokenEndpoint? fake = null;
        var server = await LoopbackServer.StartAsync(async context =>
        {
            if (context.Request.Path != "/token")
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await context.Request.ReadFormAsync();
            var n = Interlocked.Increment(ref fake!._calls);
            await Task.Delay(delay);
            await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["access_token"] = $"access-{n}",
                ["refresh_token"] = $"refresh-{n}",
                ["token_type"] = "Bearer",
                ["expires_in"] = 3600,
            });
        });
        fake = new FakeTokenEndpoint(server);
        return fake;
    }

    /// <summary>Settings for provider <paramref name="name"/>: this token endpoint, <paramref name="api"/> as the API.</summary>
    public Dictionary<string, string?> Provider(string name, Uri api) => new()
    {
        [$"TokenProxy:Providers:{name}:ApiBaseUrl"] = api.AbsoluteUri,
        [$"TokenProxy:Providers:{name}:AuthorizationUrl"] = new Uri(Address, "/authorize").AbsoluteUri,
        [$"TokenProxy:Providers:{name}:TokenUrl"] = new Uri(Address, "/token").AbsoluteUri,
        [$"TokenProxy:Providers:{name}:ClientId"] = "bench-client",
        [$"TokenProxy:Providers:{name}:ClientSecret"] = ClientSecret,
    };

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
