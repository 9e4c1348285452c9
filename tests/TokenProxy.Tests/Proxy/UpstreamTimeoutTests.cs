using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// A provider's <c>UpstreamTimeout</c>: how long a proxied request waits with nothing arriving from the API, for its
/// answer's head and between reads of a streamed body. No answer in time is 504 upstream_timeout, not "unreachable".
/// </summary>
public sealed class UpstreamTimeoutTests
{
    private static Task<ProxyScenario> StartAsync(string timeout) =>
        ProxyScenario.StartAsync((settings, _) => settings["TokenProxy:Providers:acme:UpstreamTimeout"] = timeout);

    [Fact]
    public async Task An_api_that_never_answers_is_a_504_upstream_timeout_after_the_providers_timeout()
    {
        await using var scenario = await StartAsync("00:00:01");
        await scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        scenario.Api.Respond = (context, _) => Task.Delay(Timeout.Infinite, context.RequestAborted);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        using var response = await scenario.Proxy.Client.PostAsync("/acme/orders", new StringContent("{}"));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
        Assert.Equal("The request to acme got no answer within 1 s (its UpstreamTimeout); it may have reached the API.", problem.GetProperty("detail").GetString());
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("00:00:01", false)]
    [InlineData("00:00:10", true)]
    public async Task A_streamed_body_pausing_longer_than_the_timeout_is_cut_and_one_within_it_arrives_whole(string timeout, bool whole)
    {
        await using var scenario = await StartAsync(timeout);
        await scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        scenario.Api.Respond = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: first\n\n");
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted);
            await context.Response.WriteAsync("data: second\n\n");
        };

        string body;
        try
        {
            body = await scenario.Proxy.Client.GetStringAsync("/acme/events");
        }
        catch (HttpRequestException)
        {
            body = "cut";
        }

        Assert.Equal(whole, body == "data: first\n\ndata: second\n\n");
    }

    [Theory]
    [InlineData("00:00:00.5")]
    [InlineData("01:00:01")]
    public async Task An_upstream_timeout_out_of_range_stops_startup_naming_it(string timeout)
    {
        var settings = ProxyHost.Provider("acme", new Uri("https://api.acme.test/"));
        settings["TokenProxy:Providers:acme:UpstreamTimeout"] = timeout;

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ProxyHost.StartAsync(settings));

        Assert.Contains($"TokenProxy:Providers:acme:UpstreamTimeout: '{TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture)}' is not from 00:00:01 to 01:00:00.", failure.Message, StringComparison.Ordinal);
    }
}
