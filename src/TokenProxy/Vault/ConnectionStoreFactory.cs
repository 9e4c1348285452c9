using TokenProxy.Vault.Postgres;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Vault;

/// <summary>Builds the store <c>TokenProxy:Store:Kind</c> names; the server and the <c>vault</c> command share it.</summary>
internal static class ConnectionStoreFactory
{
    public static IConnectionStore Create(StoreOptions store, DataPaths paths, TimeProvider time, ILoggerFactory loggers) =>
        store.IsPostgres
            ? new PostgresConnectionStore(
                store.ConnectionString ?? throw new InvalidOperationException("TokenProxy:Store:ConnectionString is required with Kind Postgres."),
                store.ListenConnectionString,
                store.RefreshLockTimeout,
                time,
                loggers.CreateLogger<PostgresConnectionStore>(),
                loggers.CreateLogger(EventsLogCategory))
            : new SqliteConnectionStore(SqliteDatabasePath(store, paths), time, loggers.CreateLogger<SqliteConnectionStore>(), loggers.CreateLogger(EventsLogCategory));

    /// <summary>The log category of the record each committed event gets.</summary>
    public const string EventsLogCategory = "TokenProxy.Events";

    /// <summary>The SQLite database file: the connection string's, or <c>tokenproxy.db</c> in the data directory.</summary>
    public static string SqliteDatabasePath(StoreOptions store, DataPaths paths) =>
        SqlitePath(store.ConnectionString) ?? Path.Combine(paths.DataDirectory, "tokenproxy.db");

    /// <summary>For SQLite the connection string may be a plain file path or <c>Data Source=…</c>.</summary>
    private static string? SqlitePath(string? connectionString) =>
        connectionString is null || !connectionString.Contains('=', StringComparison.Ordinal)
            ? connectionString
            : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
}
