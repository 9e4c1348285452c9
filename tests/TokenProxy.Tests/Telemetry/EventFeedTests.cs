using Microsoft.Extensions.Time.Testing;
using TokenProxy.Telemetry;

namespace TokenProxy.Tests.Telemetry;

public sealed class EventFeedTests
{
    [Fact]
    public void A_repeated_failure_is_one_entry_with_its_count_and_last_time_and_pushes_nothing_out()
    {
        var clock = new FakeTimeProvider();
        var feed = new EventFeed(clock);
        var first = clock.GetUtcNow();
        feed.Record("revoked", "acme", "conn_1", "revoked", null);
        for (var i = 0; i < 10_000; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            feed.Record("upstream_unavailable", "acme", "conn_2", "upstream_unavailable", null);
        }

        var events = feed.Snapshot();

        Assert.Equal(2, events.Count);
        var repeated = events[0];
        Assert.Equal(("upstream_unavailable", "conn_2", 10_000), (repeated.Kind, repeated.ConnectionId, repeated.Count));
        Assert.Equal(first.AddMilliseconds(10), repeated.FirstAt);
        Assert.Equal(clock.GetUtcNow(), repeated.At);
        Assert.Equal(("revoked", 1, first), (events[1].Kind, events[1].Count, events[1].FirstAt));
    }

    [Fact]
    public void Repeats_are_told_apart_by_kind_provider_connection_and_code_and_a_repeat_becomes_the_newest()
    {
        var feed = new EventFeed(new FakeTimeProvider());
        feed.Record("refresh_failed", "acme", "conn_1", "invalid_grant", "first");
        feed.Record("refresh_failed", "acme", "conn_1", "server_error", null);
        feed.Record("refresh_failed", "acme", "conn_2", "invalid_grant", null);
        feed.Record("refresh_failed", "other", "conn_1", "invalid_grant", null);
        feed.Record("refresh_rejected", "acme", "conn_1", "invalid_grant", null);
        feed.Record("refresh_failed", "acme", "conn_1", "invalid_grant", "second");

        var events = feed.Snapshot();

        Assert.Equal(5, events.Count);
        Assert.Equal(("conn_1", "invalid_grant", 2, "second"), (events[0].ConnectionId, events[0].Code, events[0].Count, events[0].Description));
        Assert.All(events.Skip(1), e => Assert.Equal(1, e.Count));
    }

    [Fact]
    public void Failed_connects_with_different_refusals_stay_apart_and_a_repeated_refusal_is_counted()
    {
        var feed = new EventFeed(new FakeTimeProvider());
        feed.Record("connect_failed", "acme", null, "authorization_failed", "Invalid scopes");
        feed.Record("connect_failed", "acme", null, "authorization_failed", "Acme tenant (tenant) may hold only a-z");
        feed.Record("connect_failed", "acme", null, "authorization_failed", "Invalid scopes");

        var events = feed.Snapshot();

        Assert.Equal(2, events.Count);
        Assert.Equal(("Invalid scopes", 2), (events[0].Description, events[0].Count));
        Assert.Equal(("Acme tenant (tenant) may hold only a-z", 1), (events[1].Description, events[1].Count));
    }

    [Fact]
    public void Distinct_events_beyond_the_capacity_push_out_the_oldest()
    {
        var feed = new EventFeed(new FakeTimeProvider());
        for (var i = 0; i < EventFeed.Capacity + 50; i++)
        {
            feed.Record("refresh_failed", "acme", $"conn_{i}", "server_error", null);
        }

        feed.Record("refresh_failed", "acme", "conn_0", "server_error", null);

        var events = feed.Snapshot();
        Assert.Equal(EventFeed.Capacity, events.Count);
        Assert.Equal(("conn_0", 1), (events[0].ConnectionId, events[0].Count));
        Assert.Equal("conn_249", events[1].ConnectionId);
        Assert.DoesNotContain(events, e => e.ConnectionId == "conn_50");
    }
}
