using System.Collections.Concurrent;

namespace TokenProxy.Proxy;

/// <summary>
/// The log lines a request causes (no token for it, its API unreachable, its address refused): at most one per
/// <see cref="Window"/> for each event, provider, connection and cause. An app retrying in a loop against a broken
/// connection or a provider that is down would otherwise write a line per request (thousands a second, enough to fill a
/// disk); the line that opens the next window says how many were left out. Every request is still counted in
/// <c>tokenproxy.injection.failures</c>.
/// </summary>
internal sealed class RepeatedLines(TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // The subjects come from requests (a label that does not exist): past this many, windows that have ended are dropped.
    private const int MaxWindows = 4096;

    private readonly ConcurrentDictionary<(int Event, string Provider, string Subject, string Cause), Counter> _windows = new();
    private readonly long _windowTicks = (long)(Window.TotalSeconds * time.TimestampFrequency);

    /// <summary>
    /// Whether to write this line; when it is, <paramref name="leftOut"/> is how many like it were not written since the
    /// last one that was.
    /// </summary>
    public bool Admit(int eventId, string provider, string subject, string cause, out long leftOut)
    {
        leftOut = 0;
        var now = time.GetTimestamp();
        var key = (eventId, provider, subject, cause);
        if (!_windows.TryGetValue(key, out var counter))
        {
            if (_windows.Count >= MaxWindows)
            {
                Prune(now);
            }

            var opened = new Counter(now + _windowTicks);
            counter = _windows.GetOrAdd(key, opened);
            if (ReferenceEquals(counter, opened))
            {
                return true;
            }
        }

        var until = Volatile.Read(ref counter.Until);
        if (now < until || Interlocked.CompareExchange(ref counter.Until, now + _windowTicks, until) != until)
        {
            Interlocked.Increment(ref counter.LeftOut);
            return false;
        }

        leftOut = Interlocked.Exchange(ref counter.LeftOut, 0);
        return true;
    }

    private void Prune(long now)
    {
        foreach (var window in _windows)
        {
            if (Volatile.Read(ref window.Value.Until) <= now)
            {
                _windows.TryRemove(window);
            }
        }

        if (_windows.Count >= MaxWindows)
        {
            // All current: start over rather than grow without bound.
            _windows.Clear();
        }
    }

    private sealed class Counter(long until)
    {
        public long Until = until;
        public long LeftOut;
    }
}
