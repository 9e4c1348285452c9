using System.Net;
using System.Reflection;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// A bug on the data plane (here: the store throws where it never should) is still answered as the proxy's own
/// problem: problem+json 500 with <c>TokenProxy-Error</c>, nothing of the exception in the answer, the details in the log.
/// </summary>
public sealed class UnexpectedFailureTests
{
    [Fact]
    public async Task An_exception_while_proxying_is_answered_as_a_problem_without_its_message()
    {
        var secret = Canary.New("exception");
        await using var scenario = await ProxyScenario.StartAsync(services: services =>
        {
            var inner = services.Single(d => d.ServiceType == typeof(IConnectionStore));
            services.Remove(inner);
            services.AddSingleton(sp => ThrowingFinds.Wrap((IConnectionStore)inner.ImplementationFactory!(sp), secret));
        });

        using var response = await scenario.Proxy.Client.GetAsync("/acme/items/1");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("internal_error", response.Headers.GetValues("TokenProxy-Error").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
        Canary.AssertAbsent(secret, body, "error body");
        Assert.Contains("failed unexpectedly", scenario.Proxy.Logs.All, StringComparison.Ordinal);
        Assert.Empty(scenario.Api.Requests);
    }

    /// <summary>The real store, except that looking a connection up throws.</summary>
    public class ThrowingFinds : DispatchProxy
    {
        private IConnectionStore _inner = null!;
        private string _message = null!;

        internal static IConnectionStore Wrap(IConnectionStore inner, string message)
        {
            var store = Create<IConnectionStore, ThrowingFinds>();
            var proxy = (ThrowingFinds)(object)store;
            proxy._inner = inner;
            proxy._message = message;
            return store;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IConnectionStore.FindAsync)
                ? Task.FromException<ConnectionRow?>(new InvalidOperationException(_message))
                : targetMethod.Invoke(_inner, args);
    }
}
