using TokenProxy.Hosting;

namespace TokenProxy.Tests.Portal;

/// <summary><c>TokenProxy:Portal</c> is checked at startup with every other problem, each naming its key and range.</summary>
public sealed class PortalOptionsTests
{
    [Fact]
    public void Portal_settings_out_of_range_are_each_listed_with_their_range()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenProxy:Portal:PermitsPerMinute"] = "0",
            ["TokenProxy:Portal:SessionLifetime"] = "00:00:30",
            ["TokenProxy:Portal:SessionIdleTimeout"] = "1.00:00:00",
            ["TokenProxy:Refresh:Skew"] = "02:00:00",
        }).Build();

        var problems = ConfigurationCheck.Problems(configuration);

        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Portal:PermitsPerMinute: must be from 1 to 100000", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Portal:SessionLifetime: must be from 00:01:00 to 7.00:00:00", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Portal:SessionIdleTimeout: must be from 00:01:00 to SessionLifetime", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Refresh:Skew", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_portal_settings_pass()
    {
        var problems = ConfigurationCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenProxy:Portal:PermitsPerMinute"] = "60",
            ["TokenProxy:Portal:SessionIdleTimeout"] = "01:00:00",
            ["TokenProxy:Portal:SessionLifetime"] = "12:00:00",
        }).Build());

        Assert.Empty(problems);
    }
}
