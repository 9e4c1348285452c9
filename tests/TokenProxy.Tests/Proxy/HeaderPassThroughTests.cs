using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>Header hygiene removes what it must and leaves every other header exactly as the app sent it.</summary>
public sealed class HeaderPassThroughTests
{
    [Fact]
    public async Task Kept_headers_reach_the_api_byte_for_byte_not_reformatted()
    {
        await using var scenario = await ProxyScenario.StartAsync();
        await scenario.Proxy.ImportAsync("acme", Canary.New("access"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/items");
        // Valid, but not in the form .NET would print after parsing ("text/html, application/json; q=0.9").
        request.Headers.TryAddWithoutValidation("Accept", "text/html,application/json;q=0.9");
        request.Headers.TryAddWithoutValidation("User-Agent", "app/1.0   (bench)");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.0.0.1");
        using var response = await scenario.Proxy.Client.SendAsync(request);

        response.EnsureSuccessStatusCode();
        var seen = Assert.Single(scenario.Api.Requests);
        Assert.Equal("text/html,application/json;q=0.9", seen.Header("Accept"));
        Assert.Equal("app/1.0   (bench)", seen.Header("User-Agent"));
        Assert.Null(seen.Header("X-Forwarded-For"));
    }
}
