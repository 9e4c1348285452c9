using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Events;

/// <summary>The event log on a shared store (its vault key made beforehand, as a shared store requires).</summary>
[Collection(PostgresTests.Collection)]
public sealed class PostgresEventLogTests(PostgresServer server) : EventLogTests
{
    private readonly string _keys = ProxyHost.NewDataDirectory();
    private PostgresDatabase _database = null!;

    public override async Task InitializeAsync()
    {
        _database = await server.CreateDatabaseAsync();
        VaultInitializer.WriteKeyFile(Path.Combine(_keys, "vault.key"), VaultKey.Generate());
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    private protected override void UseStore(Dictionary<string, string?> settings)
    {
        settings["TokenProxy:Store:Kind"] = "Postgres";
        settings["TokenProxy:Store:ConnectionString"] = _database.ConnectionString;
        settings["TokenProxy:Vault:KeyFile"] = Path.Combine(_keys, "vault.key");
    }
}
