using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Events;

/// <summary>The event log on a shared store (its vault key made beforehand, as a shared store requires).</summary>
[Collection(PostgresTests.Collection)]
public sealed class PostgresEventLogTests(PostgresServer server) : EventLogTests
{
    private PostgresStore _store = null!;

    public override async Task InitializeAsync()
    {
        _store = await PostgresStore.CreateAsync(server);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _store.DisposeAsync();
    }

    private protected override void UseStore(Dictionary<string, string?> settings) => _store.Apply(settings);
}
