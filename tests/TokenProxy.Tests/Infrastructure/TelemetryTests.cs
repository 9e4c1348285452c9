namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// Tests that collect spans run alone, after every other test: an ActivitySource listener hears the TokenProxy source
/// of every proxy in the test process, so another class refreshing at the same moment would add its spans to theirs.
/// </summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class TelemetryTests
{
    public const string Collection = "Telemetry";
}
