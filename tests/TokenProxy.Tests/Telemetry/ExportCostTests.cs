using TokenProxy.Telemetry;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Telemetry;

/// <summary>What export costs every proxied request: only the instruments worth exporting are listened to.</summary>
[Collection(TelemetryTests.Collection)]
public sealed class ExportCostTests
{
    [Fact]
    public async Task Per_request_counters_of_the_built_in_meters_are_not_exported_the_durations_and_tokenproxys_are()
    {
        var telemetry = new CollectedTelemetry();
        await using var scenario = await RefreshScenario.StartAsync(telemetry: telemetry);
        await scenario.ImportAsync();

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user");
        response.EnsureSuccessStatusCode();
        telemetry.Reader.Collect();

        var exported = telemetry.Points.Select(p => p.Name).ToHashSet();
        Assert.Contains("http.server.request.duration", exported);
        Assert.Contains("http.client.request.duration", exported);
        Assert.Contains("tokenproxy.cache.lookups", exported);
        Assert.NotEmpty(TelemetryServiceCollectionExtensions.Unexported);
        Assert.All(TelemetryServiceCollectionExtensions.Unexported, name => Assert.DoesNotContain(name, exported));
    }
}
