using Microsoft.Extensions.Logging.Abstractions;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault;

/// <summary>
/// During an outage of a store that cannot be reached at all, one operation at a time finds out whether it is over and
/// the others are turned away at once, so a database that hangs does not hold every request for the driver's timeouts.
/// </summary>
public sealed class StoreAvailabilityTests
{
    private static readonly Func<Exception, bool> IsOutage = e => e is TimeoutException;

    [Fact]
    public async Task While_one_operation_tries_an_unreachable_store_the_others_fail_at_once_and_its_success_ends_the_outage()
    {
        var availability = new StoreAvailability("test store", TimeProvider.System, NullLogger.Instance);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => availability.RunAsync(() => Task.FromException<int>(new TimeoutException("hangs")), IsOutage, write: false));
        var hanging = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ran = 0;

        var probe = availability.RunAsync(() => hanging.Task, IsOutage, write: false);
        var turnedAway = await Assert.ThrowsAsync<StoreUnavailableException>(() => availability.RunAsync(() => Task.FromResult(Interlocked.Increment(ref ran)), IsOutage, write: true));
        hanging.SetResult(7);

        Assert.Equal(7, await probe);
        Assert.Contains("hangs", turnedAway.Message, StringComparison.Ordinal);
        Assert.Equal(0, ran);
        Assert.True(availability.IsAvailable);
        Assert.Equal(1, await availability.RunAsync(() => Task.FromResult(Interlocked.Increment(ref ran)), IsOutage, write: false));
    }

    [Fact]
    public async Task An_operation_that_encloses_others_does_not_turn_its_own_away()
    {
        var availability = new StoreAvailability("test store", TimeProvider.System, NullLogger.Instance);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => availability.RunAsync(() => Task.FromException<int>(new TimeoutException("hangs")), IsOutage, write: false));

        var result = await availability.RunAsync(
            () => availability.RunAsync(() => Task.FromResult(5), IsOutage, write: true), IsOutage, write: false, enclosing: true);

        Assert.Equal(5, result);
        Assert.True(availability.IsAvailable);
    }

    [Fact]
    public async Task A_store_that_still_reads_while_writes_fail_turns_no_read_away()
    {
        // A read-only or full SQLite file: reads go on as they come, however many at once.
        var availability = new StoreAvailability("test store", TimeProvider.System, NullLogger.Instance);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => availability.RunAsync(() => Task.FromException<int>(new TimeoutException("read-only")), IsOutage, write: true));
        var hanging = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = availability.RunAsync(() => hanging.Task, IsOutage, write: false);
        var second = await availability.RunAsync(() => Task.FromResult(2), IsOutage, write: false);
        hanging.SetResult(1);

        Assert.Equal((1, 2), (await first, second));
        Assert.False(availability.IsAvailable);
    }
}
