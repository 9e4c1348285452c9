using System.Text.Json.Nodes;
using TokenProxy.Events;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault;

/// <summary>The event log every store keeps (docs/architecture.md, §10): written with its change or not at all, read by sequence, paged, pruned.</summary>
public abstract partial class ConnectionStoreTests
{
    private IEventStore Events => (IEventStore)Store;

    [Fact]
    public async Task Events_commit_with_their_change_and_a_lost_swap_or_missing_row_writes_none()
    {
        var appended = new List<long>();
        Events.Appended += appended.Add;
        var row = NewRow("default");

        Assert.True(await Store.TryInsertAsync(row, [ConnectionEvents.About(row, EventTypes.ConnectionCreated, EventTypes.ActorAdmin)], CancellationToken.None));
        Assert.False(await Store.TryInsertAsync(NewRow("default"), [new NewEvent(EventTypes.ConnectionCreated, EventTypes.ActorAdmin)], CancellationToken.None));
        var stored = (await Store.GetAsync(row.Id, CancellationToken.None))!;
        var error = ConnectionEvents.About(row, EventTypes.ConnectionError, EventTypes.ActorBackground, new JsonObject { ["error"] = "invalid_grant" });
        Assert.NotNull(await Store.TryUpdateAsync(stored with { Status = ConnectionStatus.Error }, [error], CancellationToken.None));
        // The same version again: the swap is lost, and so is its event.
        Assert.Null(await Store.TryUpdateAsync(stored with { Status = ConnectionStatus.Revoked }, [ConnectionEvents.About(row, EventTypes.ConnectionRevoked, EventTypes.ActorAdmin)], CancellationToken.None));
        Assert.False(await Store.DeleteAsync(ConnectionIds.New(), [new NewEvent(EventTypes.ConnectionDeleted, EventTypes.ActorAdmin)], CancellationToken.None));
        Assert.True(await Store.DeleteAsync(row.Id, [ConnectionEvents.About(row, EventTypes.ConnectionDeleted, EventTypes.ActorAdmin)], CancellationToken.None));

        var events = await Events.ReadAfterAsync(0, 100, CancellationToken.None);
        Assert.Equal([EventTypes.ConnectionCreated, EventTypes.ConnectionError, EventTypes.ConnectionDeleted], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(row.Id, e.ConnectionId));
        Assert.Equal("invalid_grant", events[1].Data["error"]!.GetValue<string>());
        Assert.True(events[0].Sequence < events[1].Sequence && events[1].Sequence < events[2].Sequence);
        Assert.Equal(events.Select(e => e.Sequence), appended);
        Assert.Equal(3, events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_write_without_events_appends_none()
    {
        var row = NewRow("default");
        Assert.True(await Store.TryInsertAsync(row, CancellationToken.None));
        Assert.NotNull(await Store.TryUpdateAsync(row with { Version = 1, AccessToken = "k:other" }, CancellationToken.None));
        Assert.True(await Store.DeleteAsync(row.Id, CancellationToken.None));

        Assert.Empty(await Events.ReadAfterAsync(0, 100, CancellationToken.None));
    }

    [Fact]
    public async Task Read_after_a_sequence_gives_what_follows_it_oldest_first()
    {
        await Events.AppendAsync([.. Enumerable.Range(0, 5).Select(i => new NewEvent(EventTypes.ProviderUnavailable, EventTypes.ActorBackground, Provider: $"p{i}"))], CancellationToken.None);
        var all = await Events.ReadAfterAsync(0, 100, CancellationToken.None);

        var rest = await Events.ReadAfterAsync(all[1].Sequence, 2, CancellationToken.None);

        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], all.Select(e => e.Provider));
        Assert.Equal(["p2", "p3"], rest.Select(e => e.Provider));
    }

    [Fact]
    public async Task An_event_with_a_once_key_is_written_once()
    {
        var first = new NewEvent(EventTypes.ConnectionExpiring, EventTypes.ActorBackground, ConnectionId: "conn_a", Once: "expiring conn_a 1");

        await Events.AppendAsync([first], CancellationToken.None);
        await Events.AppendAsync([first, first with { Once = "expiring conn_a 2" }], CancellationToken.None);

        var events = await Events.ReadAfterAsync(0, 100, CancellationToken.None);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task Pages_are_newest_first_filtered_and_continued_before_a_sequence()
    {
        var a = NewRow("a") with { Workspace = null };
        var b = NewRow("b");
        await Events.AppendAsync(
        [
            new NewEvent(EventTypes.ConnectionCreated, EventTypes.ActorAdmin, a.Id, "acme", Provider: "github"),
            new NewEvent(EventTypes.ConnectionCreated, EventTypes.ActorAdmin, b.Id, Provider: "github"),
            new NewEvent(EventTypes.ConnectionError, EventTypes.ActorApp, a.Id, "acme", Provider: "github"),
            new NewEvent(EventTypes.ConnectionRecovered, EventTypes.ActorAdmin, a.Id, "acme", Provider: "github"),
        ], CancellationToken.None);

        var newest = await Events.QueryAsync(new EventQuery(Limit: 2), CancellationToken.None);
        var older = await Events.QueryAsync(new EventQuery(Before: newest[^1].Sequence, Limit: 2), CancellationToken.None);
        var ofA = await Events.QueryAsync(new EventQuery(ConnectionId: a.Id), CancellationToken.None);
        var inAcme = await Events.QueryAsync(new EventQuery(Workspace: "acme", Type: EventTypes.ConnectionError), CancellationToken.None);
        var future = await Events.QueryAsync(new EventQuery(Since: DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
        var past = await Events.QueryAsync(new EventQuery(Since: DateTimeOffset.UtcNow.AddHours(-1)), CancellationToken.None);

        Assert.Equal([EventTypes.ConnectionRecovered, EventTypes.ConnectionError], newest.Select(e => e.Type));
        Assert.Equal([b.Id, a.Id], older.Select(e => e.ConnectionId));
        Assert.Equal(3, ofA.Count);
        Assert.Equal(EventTypes.ConnectionError, Assert.Single(inAcme).Type);
        Assert.Empty(future);
        Assert.Equal(4, past.Count);
    }

    [Fact]
    public async Task Pruning_deletes_only_events_created_before_the_cutoff_a_batch_at_a_time()
    {
        await Events.AppendAsync([.. Enumerable.Range(0, 5).Select(_ => new NewEvent(EventTypes.VaultKeyRotated, EventTypes.ActorAdmin))], CancellationToken.None);

        var none = await Events.PruneAsync(DateTimeOffset.UtcNow.AddDays(-1), 100, CancellationToken.None);
        var batch = await Events.PruneAsync(DateTimeOffset.UtcNow.AddMinutes(1), 3, CancellationToken.None);
        var left = await Events.ReadAfterAsync(0, 100, CancellationToken.None);

        Assert.Equal(0, none);
        Assert.Equal(3, batch);
        Assert.Equal(2, left.Count);
    }

    [Fact]
    public async Task Events_outlive_the_store_that_wrote_them()
    {
        await Events.AppendAsync([new NewEvent(EventTypes.VaultKeyRotated, EventTypes.ActorAdmin, Data: new JsonObject { ["resealed"] = 3 })], CancellationToken.None);
        var written = Assert.Single(await Events.ReadAfterAsync(0, 10, CancellationToken.None));

        var reopened = await ReopenAsync();
        var read = Assert.Single(await ((IEventStore)reopened).ReadAfterAsync(0, 10, CancellationToken.None));

        Assert.Equal(written.Id, read.Id);
        Assert.Equal(written.Sequence, read.Sequence);
        Assert.Equal(written.CreatedAt, read.CreatedAt);
        Assert.Equal(3, read.Data["resealed"]!.GetValue<int>());
    }

    /// <summary>Closes <see cref="Store"/> and opens the database again, as a restart does.</summary>
    private async Task<IConnectionStore> ReopenAsync()
    {
        await CloseAsync(Store);
        Store = await OpenStoreAsync();
        return Store;
    }
}
