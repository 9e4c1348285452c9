namespace TokenProxy.Tests.Infrastructure;

/// <summary>A clock tests move by hand. Expiry logic is tested with it, never with sleeps.</summary>
internal sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public FakeTimeProvider()
        : this(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    /// <summary>Moves the clock to <paramref name="value"/>; like Microsoft's FakeTimeProvider, never backwards.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, GetUtcNow());
        Interlocked.Exchange(ref _ticks, value.UtcTicks);
    }
}
