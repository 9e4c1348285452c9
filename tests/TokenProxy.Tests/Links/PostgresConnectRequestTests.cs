using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Links;

/// <summary>Connect requests on a shared PostgreSQL store: one database per test, dropped after.</summary>
[Collection(PostgresTests.Collection)]
public sealed class PostgresConnectRequestTests(PostgresServer server) : ConnectRequestTests, IAsyncLifetime
{
    private readonly List<PostgresDatabase> _databases = [];
    private readonly string _keyDirectory = ProxyHost.NewDataDirectory();

    private protected override async Task<Dictionary<string, string?>> StoreSettingsAsync()
    {
        var database = await server.CreateDatabaseAsync();
        _databases.Add(database);
        // A shared store never generates its key: every instance is given the same one.
        var keyFile = Path.Combine(_keyDirectory, $"vault-{_databases.Count}.key");
        VaultInitializer.WriteKeyFile(keyFile, VaultKey.Generate());
        return new()
        {
            ["TokenProxy:Store:Kind"] = "Postgres",
            ["TokenProxy:Store:ConnectionString"] = database.ConnectionString,
            ["TokenProxy:Vault:KeyFile"] = keyFile,
        };
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        ProxyHost.DeleteDataDirectory(_keyDirectory);
    }
}
