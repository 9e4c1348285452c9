using Microsoft.Extensions.Time.Testing;
using TokenProxy.Tokens;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// In-process single-flight (docs/architecture.md §5, and §6: F30, F38): one run of the work per key however many
/// callers wait, on its own limit rather than on a caller's cancellation or wait, and a fresh run once it is over.
/// </summary>
public sealed class RefreshGateTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task Concurrent_callers_share_one_run_of_the_work_and_its_result()
    {
        var gate = new RefreshGate<int>(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), _clock, CancellationToken.None);
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;

        var callers = Enumerable.Range(0, 100)
            .Select(_ => gate.RunAsync("conn_1", _ => { Interlocked.Increment(ref runs); return release.Task; }, CancellationToken.None))
            .ToList();
        release.SetResult(42);
        var results = await Task.WhenAll(callers);

        Assert.Equal(1, runs);
        Assert.All(results, result => Assert.Equal(42, result));
        Assert.Equal(0, gate.InFlight);
    }

    [Fact]
    public async Task An_early_answer_ends_the_wait_of_every_caller_and_of_those_that_join_while_the_work_goes_on_alone()
    {
        var gate = new RefreshGate<int>(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), _clock, CancellationToken.None);
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        Task<int> Join() => gate.RunAsync("conn_1", _ => { Interlocked.Increment(ref runs); return release.Task; }, CancellationToken.None);
        var waiting = Join();

        gate.Answer("conn_1", new InvalidOperationException("not yet"));
        var early = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting);
        var joined = await Assert.ThrowsAsync<InvalidOperationException>(Join);
        Assert.Equal(1, gate.InFlight);
        release.SetResult(7);
        await gate.Idle;
        var after = await Join();

        Assert.Equal(("not yet", "not yet"), (early.Message, joined.Message));
        Assert.Equal(2, runs);
        Assert.Equal(7, after);
        Assert.Equal(0, gate.InFlight);
    }

    [Fact]
    public async Task Different_keys_run_their_own_work()
    {
        var gate = new RefreshGate<string>(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), _clock, CancellationToken.None);

        var results = await Task.WhenAll(
            gate.RunAsync("conn_1", _ => Task.FromResult("one"), CancellationToken.None),
            gate.RunAsync("conn_2", _ => Task.FromResult("two"), CancellationToken.None));

        Assert.Equal(["one", "two"], results);
    }

    [Fact]
    public async Task A_caller_that_gives_up_stops_waiting_alone_and_the_work_goes_on_for_the_others()
    {
        var gate = new RefreshGate<int>(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), _clock, CancellationToken.None);
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();

        var first = gate.RunAsync("conn_1", token => { started.SetResult(token); return release.Task; }, impatient.Token);
        var second = gate.RunAsync("conn_1", _ => throw new InvalidOperationException("a second run"), CancellationToken.None);
        var workToken = await started.Task;
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(workToken.IsCancellationRequested);
        release.SetResult(7);
        Assert.Equal(7, await second);
    }

    [Fact]
    public async Task Callers_stop_waiting_at_the_wait_the_work_goes_on_to_its_limit_and_a_caller_meanwhile_joins_it()
    {
        var gate = new RefreshGate<int>(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), _clock, CancellationToken.None);
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        Func<CancellationToken, Task<int>> work = async token =>
        {
            Interlocked.Increment(ref runs);
            started.TrySetResult(token);
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return 0;
        };

        var first = gate.RunAsync("conn_1", work, CancellationToken.None);
        var workToken = await started.Task;
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<TimeoutException>(() => first);
        Assert.False(workToken.IsCancellationRequested);

        // A caller after the first gave up joins the run still under way: no second run with the same refresh token.
        var late = gate.RunAsync("conn_1", work, CancellationToken.None);
        Assert.Equal(1, gate.InFlight);
        _clock.Advance(TimeSpan.FromSeconds(89));
        Assert.False(workToken.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(workToken.IsCancellationRequested);
        await Assert.ThrowsAsync<TimeoutException>(() => late);
        Assert.Equal(1, runs);
        // The run ends on its cancellation, then leaves the gate (on another thread: waited for, within 5 s).
        for (var i = 0; gate.InFlight != 0 && i < 500; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, gate.InFlight);
    }

    [Fact]
    public async Task Stopping_cancels_the_runs_under_way_and_the_gate_then_reports_idle()
    {
        using var stopping = new CancellationTokenSource();
        var gate = new RefreshGate<int>(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), _clock, stopping.Token);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = gate.RunAsync("conn_1", async token =>
        {
            started.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return 0;
        }, CancellationToken.None);
        await started.Task;
        var idle = gate.Idle;
        Assert.False(idle.IsCompleted);

        await stopping.CancelAsync();

        await idle.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => caller);
    }

    [Fact]
    public async Task A_failed_run_fails_its_waiters_and_the_next_call_runs_the_work_again()
    {
        var gate = new RefreshGate<int>(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), _clock, CancellationToken.None);
        var runs = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => gate.RunAsync(
            "conn_1", _ => { runs++; throw new InvalidOperationException("token endpoint broke"); }, CancellationToken.None));
        var again = await gate.RunAsync("conn_1", _ => { runs++; return Task.FromResult(5); }, CancellationToken.None);

        Assert.Equal(5, again);
        Assert.Equal(2, runs);
    }
}
