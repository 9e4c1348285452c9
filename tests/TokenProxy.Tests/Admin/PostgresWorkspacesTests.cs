using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Vault.Postgres;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Admin;

/// <summary>Workspaces and end users on a shared PostgreSQL store.</summary>
[Collection(PostgresTests.Collection)]
public sealed class PostgresWorkspacesTests(PostgresServer server) : WorkspacesTests
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

    private protected override Task DowngradeToBeforeWorkspacesAsync(ProxyHost stopped, string then) =>
        _database.ExecuteAsync(PostgresConnectionStoreTests.BeforeWorkspaces + then);

    private protected override async Task TearDownAsync()
    {
        await _database.DisposeAsync();
        ProxyHost.DeleteDataDirectory(_keyDirectory);
    }
}
