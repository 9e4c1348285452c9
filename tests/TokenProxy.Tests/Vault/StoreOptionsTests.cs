using Microsoft.Extensions.Options;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Vault;

/// <summary><c>TokenProxy:Store</c>: SQLite or PostgreSQL, and PostgreSQL only with a usable connection string.</summary>
public sealed class StoreOptionsTests
{
    [Fact]
    public async Task An_unknown_store_kind_refuses_to_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new Dictionary<string, string?> { ["TokenProxy:Store:Kind"] = "Oracle" }));

        Assert.Contains(error.Failures, f => f.Contains("TokenProxy:Store:Kind: 'Oracle' is not supported; use Sqlite or Postgres", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Postgres_without_a_connection_string_refuses_to_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new Dictionary<string, string?> { ["TokenProxy:Store:Kind"] = "postgres" }));

        Assert.Contains(error.Failures, f => f.StartsWith("TokenProxy:Store:ConnectionString: required with Kind Postgres", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_malformed_connection_string_is_named_without_echoing_it()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new Dictionary<string, string?>
        {
            ["TokenProxy:Store:Kind"] = "Postgres",
            ["TokenProxy:Store:ConnectionString"] = "Host=db;Password=CANARYpassword;Colour=blue",
        }));

        var failure = Assert.Single(error.Failures, f => f.StartsWith("TokenProxy:Store:ConnectionString: not a valid PostgreSQL connection string", StringComparison.Ordinal));
        Assert.DoesNotContain("CANARYpassword", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_maximum_staleness_beyond_a_day_refuses_to_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new Dictionary<string, string?>
        {
            ["TokenProxy:Store:Kind"] = "Postgres",
            ["TokenProxy:Store:ConnectionString"] = "Host=db;Database=tokenproxy",
            ["TokenProxy:Store:MaxStaleness"] = "2.00:00:00",
        }));

        Assert.Contains("TokenProxy:Store:MaxStaleness: 2.00:00:00 must be between 00:00:00 and 1.00:00:00.", error.Failures);
    }

    /// <summary>Starts a proxy that is expected to refuse, in a data directory this test removes again.</summary>
    private static async Task StartAsync(Dictionary<string, string?> settings)
    {
        var directory = ProxyHost.NewDataDirectory();
        try
        {
            await using var proxy = await ProxyHost.StartAsync(settings, dataDirectory: directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
