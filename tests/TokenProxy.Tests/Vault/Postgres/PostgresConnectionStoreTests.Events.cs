using System.Collections.Concurrent;
using TokenProxy.Events;
using TokenProxy.Tokens;

namespace TokenProxy.Tests.Vault.Postgres;

/// <summary>The event log shared by instances: sequences visible in the order given, whatever the commit order of concurrent writers; other instances hear of new events.</summary>
public sealed partial class PostgresConnectionStoreTests
{
    [Fact]
    public async Task An_event_still_uncommitted_holds_back_the_events_numbered_after_it()
    {
        var events = (IEventStore)Store;
        // A writer that has taken its number and not committed yet: a transaction held open half-way through an append.
        await using var held = new Npgsql.NpgsqlConnection(_database.ConnectionString);
        await held.OpenAsync();
        await using var transaction = await held.BeginTransactionAsync();
        await using (var take = new Npgsql.NpgsqlCommand("""
            WITH s AS (UPDATE event_sequence SET last = last + 1 RETURNING last)
            INSERT INTO events (sequence, id, type, created_at, actor, data) SELECT last, 'evt_held', 'vault.key_rotated', now(), 'admin', '{}' FROM s;
            """, held, transaction))
        {
            await take.ExecuteNonQueryAsync();
        }

        var later = events.AppendAsync([new NewEvent(EventTypes.ProviderAvailable, EventTypes.ActorBackground, Provider: "acme")], CancellationToken.None);
        await _database.WaitUntilAsync(
            "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted", "the later append waits for the earlier number's transaction");
        var seenMeanwhile = await events.ReadAfterAsync(0, 10, CancellationToken.None);
        await transaction.CommitAsync();
        await later;
        var seen = await events.ReadAfterAsync(0, 10, CancellationToken.None);

        Assert.Empty(seenMeanwhile);
        Assert.Equal(["evt_held"], seen.Take(1).Select(e => e.Id));
        Assert.Equal(EventTypes.ProviderAvailable, seen[1].Type);
        Assert.True(seen[0].Sequence < seen[1].Sequence);
    }

    [Fact]
    public async Task A_reader_following_concurrent_writers_never_skips_an_event()
    {
        var writers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenAsync(TimeSpan.FromSeconds(30))));
        var reader = (IEventStore)Store;
        var rows = writers.Select(_ => NewRow($"w{Guid.NewGuid():N}")).ToArray();
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.True(await writers[i].TryInsertAsync(rows[i], CancellationToken.None));
        }

        var written = new ConcurrentBag<string>();
        var seen = new List<StoredEvent>();
        var done = 0;
        var writing = Task.WhenAll(writers.Select((store, i) => Task.Run(async () =>
        {
            var row = (await store.GetAsync(rows[i].Id, CancellationToken.None))!;
            for (var n = 0; n < 40; n++)
            {
                // Half with a row change, half alone: both take their numbers the same way.
                if (n % 2 == 0)
                {
                    row = (await store.TryUpdateAsync(row with { AccessToken = $"k:{n}" }, [ConnectionEvents.About(row, EventTypes.ConnectionRefreshed, EventTypes.ActorAdmin)], CancellationToken.None))!;
                }
                else
                {
                    await ((IEventStore)store).AppendAsync([new NewEvent(EventTypes.ProviderAvailable, EventTypes.ActorBackground, Provider: row.Id)], CancellationToken.None);
                }

                written.Add($"{row.Id} {n}");
            }
        }))).ContinueWith(_ => Interlocked.Exchange(ref done, 1), TaskScheduler.Default);

        long last = 0;
        while (true)
        {
            var finished = Volatile.Read(ref done) == 1;
            var page = await reader.ReadAfterAsync(last, 50, CancellationToken.None);
            seen.AddRange(page);
            last = page.Count > 0 ? page[^1].Sequence : last;
            if (finished && page.Count == 0)
            {
                break;
            }
        }

        await writing;
        var all = await reader.ReadAfterAsync(0, 1000, CancellationToken.None);
        Assert.Equal(written.Count, all.Count);
        // Everything committed was seen by the reader that only ever asked for what follows the last sequence it saw.
        Assert.Equal(all.Select(e => e.Id), seen.Select(e => e.Id));
    }

    [Fact]
    public async Task Another_instance_hears_of_appended_events()
    {
        var other = (IEventStore)await OpenAsync(TimeSpan.FromSeconds(30));
        var heard = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        other.Appended += sequence => heard.TrySetResult(sequence);
        var row = NewRow("default");

        Assert.True(await Store.TryInsertAsync(row, [ConnectionEvents.About(row, EventTypes.ConnectionCreated, EventTypes.ActorAdmin)], CancellationToken.None));

        var sequence = await heard.Task.WaitAsync(Patience);
        Assert.Equal(Assert.Single(await other.ReadAfterAsync(0, 10, CancellationToken.None)).Sequence, sequence);
    }
}
