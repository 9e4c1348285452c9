using Microsoft.Extensions.Time.Testing;
using TokenProxy.Proxy;

namespace TokenProxy.Tests.Proxy;

/// <summary>A line a request causes is written once a minute per event, provider, connection and cause, with the count left out.</summary>
public sealed class RepeatedLinesTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void The_first_line_is_written_the_repeats_within_a_minute_are_counted_and_the_next_line_after_it_carries_the_count()
    {
        var lines = new RepeatedLines(_clock);

        var first = lines.Admit(1001, "acme", "default", "reconnect_required", out var before);
        var repeats = Enumerable.Range(0, 500).Count(i => lines.Admit(1001, "acme", "default", "reconnect_required", out _));
        _clock.Advance(RepeatedLines.Window);
        var next = lines.Admit(1001, "acme", "default", "reconnect_required", out var leftOut);
        var right = lines.Admit(1001, "acme", "default", "reconnect_required", out _);

        Assert.True(first);
        Assert.Equal(0, before);
        Assert.Equal(0, repeats);
        Assert.True(next);
        Assert.Equal(500, leftOut);
        Assert.False(right);
    }

    [Theory]
    [InlineData(1002, "acme", "default", "reconnect_required")]
    [InlineData(1001, "other", "default", "reconnect_required")]
    [InlineData(1001, "acme", "second", "reconnect_required")]
    [InlineData(1001, "acme", "default", "refresh_unavailable")]
    public void Another_event_provider_connection_or_cause_has_its_own_minute(int eventId, string provider, string subject, string cause)
    {
        var lines = new RepeatedLines(_clock);
        lines.Admit(1001, "acme", "default", "reconnect_required", out _);

        Assert.True(lines.Admit(eventId, provider, subject, cause, out var leftOut));
        Assert.Equal(0, leftOut);
    }
}
