using TokenProxy.Vault;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// A test's PostgreSQL store: its own database, and a vault key file made beforehand (a shared store requires one, so
/// every instance the test starts opens the same vault). Dropped and deleted when disposed.
/// </summary>
public sealed class PostgresStore : IAsyncDisposable
{
    private readonly string _keys;

    private PostgresStore(PostgresDatabase database, string keys)
    {
        Database = database;
        _keys = keys;
    }

    public PostgresDatabase Database { get; }

    public static async Task<PostgresStore> CreateAsync(PostgresServer server)
    {
        var keys = ProxyHost.NewDataDirectory();
        VaultInitializer.WriteKeyFile(Path.Combine(keys, "vault.key"), VaultKey.Generate());
        return new PostgresStore(await server.CreateDatabaseAsync(), keys);
    }

    /// <summary>Points a proxy's settings at this store; a key file the test set itself stands.</summary>
    public void Apply(Dictionary<string, string?> settings)
    {
        settings["TokenProxy:Store:Kind"] = "Postgres";
        settings["TokenProxy:Store:ConnectionString"] = Database.ConnectionString;
        settings.TryAdd("TokenProxy:Vault:KeyFile", Path.Combine(_keys, "vault.key"));
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }
}
