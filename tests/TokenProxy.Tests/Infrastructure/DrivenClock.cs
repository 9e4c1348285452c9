using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// Microsoft's <see cref="FakeTimeProvider"/> (timers are fake too), plus what a test needs to move it at the right
/// moment: it sees every timer the code under test starts, so <see cref="RunAsync{T}"/> advances the clock exactly
/// when the product waits (a retry backoff, a Retry-After) and never before the wait begins — advancing first would
/// schedule the wait from the later time and leave it pending.
/// </summary>
internal sealed class DrivenClock : FakeTimeProvider
{
    /// <summary>Waits at most this long are backoffs worth driving; longer timers are timeouts, left alone.</summary>
    public static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Channel<TimeSpan>, byte> _watchers = new();

    public DrivenClock()
        : base(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime <= LongestBackoff)
        {
            foreach (var watcher in _watchers.Keys)
            {
                watcher.Writer.TryWrite(dueTime);
            }
        }

        return timer;
    }

    /// <summary>
    /// Runs the work <paramref name="start"/> begins and awaits it, advancing the clock by each backoff the product
    /// starts waiting on meanwhile. The work begins only once the clock is watching, so no wait is missed.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> start)
    {
        var started = Channel.CreateUnbounded<TimeSpan>();
        _watchers.TryAdd(started, 0);
        try
        {
            var work = start();
            while (true)
            {
                var next = started.Reader.ReadAsync().AsTask();
                if (await Task.WhenAny(work, next) == work)
                {
                    return await work;
                }

                Advance(await next);
            }
        }
        finally
        {
            _watchers.TryRemove(started, out _);
        }
    }
}
