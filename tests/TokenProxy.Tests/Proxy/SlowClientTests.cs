using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// A client that uploads too slowly is cut by Kestrel (its minimum request body data rate). That is the app's failure:
/// it gets a 408 problem of its own, and nothing is counted or recorded against the provider.
/// </summary>
public sealed class SlowClientTests
{
    [Theory]
    [InlineData(100, "buffered for replay")]
    [InlineData(100_000, "streamed")]
    public async Task A_stalled_upload_gets_a_408_problem_and_is_not_an_upstream_failure(int contentLength, string path)
    {
        await using var scenario = await ProxyScenario.StartAsync(
            (settings, _) => settings["TokenProxy:Refresh:MaxReplayBodyBytes"] = "1000",
            services => services.Configure<KestrelServerOptions>(kestrel =>
                // The shortest grace period Kestrel allows (more than its 1 s heartbeat); 240 B/s is its default rate.
                kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(1.5))));
        await scenario.Proxy.ImportAsync("acme", Canary.New("access"));

        var (status, response) = await RawHttp.SendStalledAsync(scenario.Proxy.Address, "POST", "/acme/items", contentLength, sentBytes: 1, "Content-Type: text/plain");

        Assert.True(status == 408, $"{path}: {response}");
        Assert.Contains("TokenProxy-Error: request_timeout", response, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
        var events = JsonDocument.Parse(await scenario.Proxy.Client.GetStringAsync("/admin/api/events")).RootElement.GetProperty("items");
        Assert.All(events.EnumerateArray(), e => Assert.Equal("connection.created", e.GetProperty("type").GetString()));
        Assert.DoesNotContain(scenario.Proxy.Logs.Lines, line => line.Contains("[1002]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_app_that_goes_away_mid_upload_records_nothing_against_the_provider()
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scenario = await ProxyScenario.StartAsync(
            (settings, _) => settings["TokenProxy:Refresh:MaxReplayBodyBytes"] = "1000",
            services => services.AddSingleton<IStartupFilter>(new OnProxiedRequestFinished(finished)));
        await scenario.Proxy.ImportAsync("acme", Canary.New("access"));

        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(scenario.Proxy.Address.Host, scenario.Proxy.Address.Port);
            var head = $"POST /acme/items HTTP/1.1\r\nHost: {scenario.Proxy.Address.Authority}\r\nContent-Length: 100000\r\n\r\nx";
            await client.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
            // Too large to buffer, so streamed: the connection is reset once the provider has the request's head.
            await scenario.Api.Arrived.Task;
            client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }

        await finished.Task;
        var events = JsonDocument.Parse(await scenario.Proxy.Client.GetStringAsync("/admin/api/events")).RootElement.GetProperty("items");
        Assert.True(events.EnumerateArray().All(e => e.GetProperty("type").GetString() == "connection.created"), events.ToString());
        Assert.DoesNotContain(scenario.Proxy.Logs.Lines, line => line.Contains("[1002]", StringComparison.Ordinal));
    }

    private sealed class OnProxiedRequestFinished(TaskCompletionSource finished) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                await nextMiddleware(context);
                if (context.Request.Path.StartsWithSegments("/acme", StringComparison.Ordinal))
                {
                    finished.TrySetResult();
                }
            });
            next(app);
        };
    }
}
