using TokenProxy.Vault.Postgres;

namespace TokenProxy.Vault;

/// <summary><c>TokenProxy:Store</c>: which store keeps the connections (docs/architecture.md, §4).</summary>
internal sealed class StoreOptions
{
    public const string SectionName = "TokenProxy:Store";

    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    /// <summary>The store: one process per database file, or several instances sharing one database. Case-insensitive.</summary>
    /// <value><c>Sqlite</c> (default) or <c>Postgres</c>.</value>
    public string Kind { get; set; } = Sqlite;

    /// <summary>
    /// For SQLite a path or <c>Data Source=…</c>; for PostgreSQL an Npgsql connection string
    /// (<c>Host=db;Database=tokenproxy;Username=tokenproxy;Password=…</c>).
    /// </summary>
    /// <value>Default for SQLite: <c>{DataDirectory}/tokenproxy.db</c>. Required for PostgreSQL.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL only: the connection string of the one connection that LISTENs for other instances' writes. LISTEN
    /// needs a session, so behind PgBouncer in transaction mode point this straight at PostgreSQL.
    /// </summary>
    /// <value>Default: <see cref="ConnectionString"/>.</value>
    public string? ListenConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL only: while this instance cannot hear of other instances' writes (the database is unreachable),
    /// cached credentials keep serving for at most this long, and never past the token's own expiry; after that,
    /// requests need the store. It bounds how long a revoke made on another instance can go unseen. Zero: cached
    /// credentials stop serving as soon as the notifications stop.
    /// </summary>
    /// <value>Default: 5 minutes; 0 to 1 day.</value>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// PostgreSQL only: how long a refresh waits for another instance's refresh of the same connection. Not a setting
    /// (no public setter, so nothing binds it): the refresh settings derive it from their timeout, see
    /// <see cref="UseRefreshTimeout"/>.
    /// </summary>
    public TimeSpan RefreshLockTimeout { get; private set; } = PostgresConnectionStore.LockTimeoutFor(TimeSpan.FromSeconds(30) + TimeSpan.FromMinutes(2)); // Refresh:Timeout's default, and its late-answer grace

    public bool IsPostgres => string.Equals(Kind, Postgres, StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Kind, Sqlite, StringComparison.OrdinalIgnoreCase);

    /// <summary>Sets <see cref="RefreshLockTimeout"/> from the longest one refresh runs (<c>TokenProxy:Refresh:Timeout</c> and its late-answer grace).</summary>
    public void UseRefreshTimeout(TimeSpan runLimit) => RefreshLockTimeout = PostgresConnectionStore.LockTimeoutFor(runLimit);
}
