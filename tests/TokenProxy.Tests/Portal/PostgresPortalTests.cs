using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Portal;

/// <summary>The client portal on a shared PostgreSQL store.</summary>
[Collection(PostgresTests.Collection)]
public sealed class PostgresPortalTests(PostgresServer server) : PortalTests
{
    private readonly string _keyDirectory = ProxyHost.NewDataDirectory();
    private PostgresDatabase _database = null!;

    private protected override async Task<Dictionary<string, string?>> StoreSettingsAsync()
    {
        _database = await server.CreateDatabaseAsync();
        // A shared store never generates its key: every instance is given the same one.
        var keyFile = ProxyHost.KeyFileFor(_keyDirectory);
        VaultInitializer.WriteKeyFile(keyFile, VaultKey.Generate());
        return new()
        {
            ["TokenProxy:Store:Kind"] = "Postgres",
            ["TokenProxy:Store:ConnectionString"] = _database.ConnectionString,
            ["TokenProxy:Vault:KeyFile"] = keyFile,
        };
    }

    private protected override async Task TearDownAsync()
    {
        await _database.DisposeAsync();
        ProxyHost.DeleteDataDirectory(_keyDirectory);
    }
}
