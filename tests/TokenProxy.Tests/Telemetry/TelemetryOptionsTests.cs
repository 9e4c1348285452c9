using TokenProxy.Hosting;

namespace TokenProxy.Tests.Telemetry;

/// <summary><c>TokenProxy:Telemetry:SamplingRatio</c> outside 0 to 1 is named at startup, not a crash when tracing starts.</summary>
public sealed class TelemetryOptionsTests
{
    [Theory]
    [InlineData("NaN")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public void A_sampling_ratio_outside_0_to_1_is_named(string ratio)
    {
        var problems = ConfigurationCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenProxy:Telemetry:SamplingRatio"] = ratio,
        }).Build());

        var problem = Assert.Single(problems);
        Assert.StartsWith($"TokenProxy:Telemetry:SamplingRatio: {ratio} must be between 0 and 1", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.25")]
    [InlineData("1")]
    public void A_sampling_ratio_from_0_to_1_is_accepted(string ratio)
    {
        Assert.Empty(ConfigurationCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenProxy:Telemetry:SamplingRatio"] = ratio,
        }).Build()));
    }
}
