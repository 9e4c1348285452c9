using System.Collections.Concurrent;

namespace TokenProxy.Tokens;

/// <summary>
/// In-process single-flight: however many callers ask to refresh one connection at once, the work runs
/// once and all of them get its result. The shared work runs on its own limit, never on a caller's
/// cancellation — the first app hanging up must not throw away a refresh the provider may already have
/// answered (with a rotated refresh token). A caller waits at most <paramref name="wait"/> (then
/// <see cref="TimeoutException"/>) or until its own request is cancelled; the work goes on to <paramref name="limit"/>,
/// and callers that come meanwhile join it rather than start another. An entry removes itself only if it is still the
/// one in the map (remove-if-same).
/// </summary>
/// <param name="wait">How long a caller waits for a run.</param>
/// <param name="limit">How long a run may take.</param>
/// <param name="time">The clock of both.</param>
/// <param name="stopping">Cancels every run at once: the process is stopping.</param>
internal sealed class RefreshGate<T>(TimeSpan wait, TimeSpan limit, TimeProvider time, CancellationToken stopping)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _inFlight = new(StringComparer.Ordinal);

    public int InFlight => _inFlight.Count;

    /// <summary>Completes once every run under way now has ended, however it ended.</summary>
    public Task Idle => Task.WhenAll(_inFlight.Values.Select(run => run.Value.ContinueWith(static _ => { }, TaskScheduler.Default)));

    public Task<T> RunAsync(string key, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        Lazy<Task<T>>? mine = null;
        mine = new Lazy<Task<T>>(() => RunSharedAsync(key, work, mine!));
        var winner = _inFlight.GetOrAdd(key, mine);
        return winner.Value.WaitAsync(wait, time, cancellationToken);
    }

    private async Task<T> RunSharedAsync(string key, Func<CancellationToken, Task<T>> work, Lazy<Task<T>> self)
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
}
