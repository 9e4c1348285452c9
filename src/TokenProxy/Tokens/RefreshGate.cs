using System.Collections.Concurrent;

namespace TokenProxy.Tokens;

/// <summary>
/// In-process single-flight: however many callers ask to refresh one connection at once, the work runs
/// once and all of them get its result. The shared work runs on its own limit, never on a caller's
/// cancellation — the first app hanging up must not throw away a refresh the provider may already have
/// answered (with a rotated refresh token). A caller waits at most <paramref name="wait"/> (then
/// <see cref="TimeoutException"/>) or until its own request is cancelled; the work goes on to <paramref name="limit"/>,
/// and callers that come meanwhile join it rather than start another. The work may answer its callers before it ends
/// (<see cref="Answer"/>); callers that come later get that answer at once, until the work ends. An entry removes itself
/// only if it is still the one in the map (remove-if-same).
/// </summary>
/// <param name="wait">How long a caller waits for a run.</param>
/// <param name="limit">How long a run may take.</param>
/// <param name="time">The clock of both.</param>
/// <param name="stopping">Cancels every run at once: the process is stopping.</param>
internal sealed class RefreshGate<T>(TimeSpan wait, TimeSpan limit, TimeProvider time, CancellationToken stopping)
{
    private readonly ConcurrentDictionary<string, Lazy<Run>> _inFlight = new(StringComparer.Ordinal);

    public int InFlight => _inFlight.Count;

    /// <summary>Completes once every run under way now has ended, however it ended.</summary>
    public Task Idle => Task.WhenAll(_inFlight.Values.Select(run => run.Value.Work.ContinueWith(static _ => { }, TaskScheduler.Default)));

    public Task<T> RunAsync(string key, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        Lazy<Run>? mine = null;
        mine = new Lazy<Run>(() => new Run(RunSharedAsync(key, work, mine!)));
        var winner = _inFlight.GetOrAdd(key, mine);
        return winner.Value.Answered.Task.WaitAsync(wait, time, cancellationToken);
    }

    /// <summary>
    /// Ends the wait of the callers of <paramref name="key"/>'s run with <paramref name="failure"/>, now and until the run
    /// ends, while the run goes on: a refresh whose answer is waiting for the store, which callers cannot use meanwhile.
    /// </summary>
    public void Answer(string key, Exception failure)
    {
        if (_inFlight.TryGetValue(key, out var run))
        {
            run.Value.Answered.TrySetException(failure);
        }
    }

    private async Task<T> RunSharedAsync(string key, Func<CancellationToken, Task<T>> work, Lazy<Run> self)
    {
        try
        {
            // Leave the caller's stack: the work must not run inline inside GetOrAdd's factory.
            await Task.Yield();
            using var limitSource = new CancellationTokenSource(limit, time);
            using var runSource = CancellationTokenSource.CreateLinkedTokenSource(limitSource.Token, stopping);
            return await work(runSource.Token);
        }
        finally
        {
            _inFlight.TryRemove(KeyValuePair.Create(key, self));
        }
    }

    private sealed class Run
    {
        public Run(Task<T> work)
        {
            Work = work;
            // The run's own outcome answers whoever has not been answered earlier.
            _ = work.ContinueWith(
                static (done, state) =>
                {
                    var answered = (TaskCompletionSource<T>)state!;
                    _ = done.Status switch
                    {
                        TaskStatus.RanToCompletion => answered.TrySetResult(done.Result),
                        TaskStatus.Canceled => answered.TrySetCanceled(),
                        _ => answered.TrySetException(done.Exception!.InnerExceptions),
                    };
                },
                Answered,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        public Task<T> Work { get; }

        public TaskCompletionSource<T> Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
