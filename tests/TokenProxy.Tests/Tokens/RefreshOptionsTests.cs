using Microsoft.Extensions.Options;
using TokenProxy.Tokens;
using TokenProxy.Vault;
using TokenProxy.Vault.Postgres;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// Refresh settings that a timer, a timeout or the per-endpoint semaphore would take as they are: zero or negative
/// would crash at run time (a PeriodicTimer period, a SemaphoreSlim count), so each is a startup problem with its range.
/// </summary>
public sealed class RefreshOptionsTests
{
    [Fact]
    public void Refresh_settings_a_timer_or_semaphore_cannot_take_are_each_named_with_their_range()
    {
        var options = new RefreshOptions();
        options.Timeout = TimeSpan.Zero;
        options.UnauthorizedBackoff = TimeSpan.FromSeconds(-1);
        options.BackgroundInterval = TimeSpan.Zero;
        options.IdleRefreshAfter = TimeSpan.Zero;
        options.MaxConcurrentPerEndpoint = 0;

        var failures = Validate(options).Failures ?? [];

        Assert.Contains("TokenProxy:Refresh:Timeout: 00:00:00 must be between 00:00:01 and 00:10:00.", failures);
        Assert.Contains("TokenProxy:Refresh:UnauthorizedBackoff: -00:00:01 must be between 00:00:00 and 01:00:00.", failures);
        Assert.Contains("TokenProxy:Refresh:BackgroundInterval: 00:00:00 must be between 00:00:01 and 1.00:00:00.", failures);
        Assert.Contains("TokenProxy:Refresh:IdleRefreshAfter: 00:00:00 must be between 00:01:00 and 365.00:00:00.", failures);
        Assert.Contains("TokenProxy:Refresh:MaxConcurrentPerEndpoint: 0 must be between 1 and 64.", failures);
    }

    [Fact]
    public void A_shared_store_waits_for_another_instances_refresh_as_long_as_a_refresh_may_run()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenProxy:Refresh:Timeout"] = "00:01:00",
        }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddVault().AddTokens().BuildServiceProvider();

        var store = services.GetRequiredService<IOptions<StoreOptions>>().Value;

        // Refresh:Timeout, then the two minutes a refresh still waits for a late answer.
        Assert.Equal(PostgresConnectionStore.LockTimeoutFor(TimeSpan.FromMinutes(3)), store.RefreshLockTimeout);
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(Validate(new RefreshOptions()).Succeeded);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(RefreshOptions options) =>
        new RefreshOptionsValidator().Validate(null, options);
}
