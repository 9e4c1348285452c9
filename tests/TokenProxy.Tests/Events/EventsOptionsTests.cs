using TokenProxy.Hosting;

namespace TokenProxy.Tests.Events;

/// <summary><c>TokenProxy:Events</c> outside its ranges is named at startup, with every other problem: a zero retention would prune each event as it is written.</summary>
public sealed class EventsOptionsTests
{
    [Fact]
    public void Retention_and_expiry_window_outside_their_ranges_are_each_named()
    {
        var problems = ConfigurationCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenProxy:Events:RetentionDays"] = "0",
            ["TokenProxy:Events:ExpiringWithin"] = "00:00:10",
        }).Build());

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Events:RetentionDays: 0 must be between 1 and 3650", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Events:ExpiringWithin: 00:00:10 must be between", StringComparison.Ordinal));
    }

    [Fact]
    public void A_retention_that_is_not_a_number_is_named()
    {
        var problems = ConfigurationCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenProxy:Events:RetentionDays"] = "ninety",
        }).Build());

        Assert.StartsWith("TokenProxy:Events:RetentionDays: ", Assert.Single(problems), StringComparison.Ordinal);
    }
}
