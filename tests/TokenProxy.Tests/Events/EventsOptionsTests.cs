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
            ["TokenProxy:Refresh:ExpiringWarning"] = "00:00:10",
        }).Build());

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Events:RetentionDays: 0 must be between 1 and 3650", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Refresh:ExpiringWarning: 00:00:10 must be between", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2.00:00:00", null, 2)]
    [InlineData("2.00:00:00", "3.00:00:00", 3)]
    [InlineData(null, null, 7)]
    public async Task The_former_name_of_the_expiring_warning_counts_only_when_the_new_one_is_not_set(string? former, string? current, int days)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (key, value) in new[] { ("TokenProxy:Events:ExpiringWithin", former), ("TokenProxy:Refresh:ExpiringWarning", current) })
        {
            if (value is not null)
            {
                settings[key] = value;
            }
        }

        await using var proxy = await Infrastructure.ProxyHost.StartAsync(settings);

        Assert.Equal(TimeSpan.FromDays(days), proxy.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TokenProxy.Tokens.RefreshOptions>>().Value.ExpiringWarning);
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
