using TokenProxy.Providers;

namespace TokenProxy.Hosting;

/// <summary>The <c>TokenProxy</c> configuration section. <c>appsettings.sample.json</c> shows every key.</summary>
internal sealed class TokenProxyOptions
{
    public const string SectionName = "TokenProxy";

    /// <summary>
    /// The address people's browsers use to reach the proxy; OAuth redirect URIs are built from it.
    /// Default: <c>http://127.0.0.1:5080</c>.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Where the SQLite database lives. Default: <c>~/.local/share/tokenproxy</c> (the user's data directory).</summary>
    public string? DataDirectory { get; set; }

    public StoreOptions Store { get; set; } = new();

    public VaultOptions Vault { get; set; } = new();

    public RefreshOptions Refresh { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    public Telemetry.TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>
    /// Browser origins allowed to call the data plane (exact <c>scheme://host[:port]</c>). Default: none — a
    /// request carrying any <c>Origin</c> header, or <c>Sec-Fetch-Site: cross-site</c>, is refused.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Client keys by client name. When any is configured, every data-plane request must present one in
    /// <c>Proxy-Authorization: Bearer &lt;key&gt;</c>. Required when listening on a non-loopback address.
    /// </summary>
    public Dictionary<string, ClientOptions> Clients { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Configured providers by name (the first path segment of proxied requests).</summary>
    public Dictionary<string, ProviderOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

internal sealed class StoreOptions
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    /// <summary><c>Sqlite</c> (default, one process per database file) or <c>Postgres</c> (several instances share it). Case-insensitive.</summary>
    public string Kind { get; set; } = Sqlite;

    /// <summary>
    /// Default for SQLite: <c>{DataDirectory}/tokenproxy.db</c> (a path or <c>Data Source=…</c>). Required for PostgreSQL:
    /// an Npgsql connection string (<c>Host=db;Database=tokenproxy;Username=tokenproxy;Password=…</c>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL only: the connection string of the one connection that LISTENs for other instances' writes. LISTEN
    /// needs a session, so behind PgBouncer in transaction mode point this straight at PostgreSQL. Default: <see cref="ConnectionString"/>.
    /// </summary>
    public string? ListenConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL only: while this instance cannot hear of other instances' writes (the database is unreachable),
    /// cached credentials keep serving for at most this long, and never past the token's own expiry; after that,
    /// requests need the store. It bounds how long a revoke made on another instance can go unseen. Zero: cached
    /// credentials stop serving as soon as the notifications stop. Default: 5 minutes; at most 1 day.
    /// </summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromMinutes(5);

    public bool IsPostgres => string.Equals(Kind, Postgres, StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Kind, Sqlite, StringComparison.OrdinalIgnoreCase);
}

internal sealed class VaultOptions
{
    /// <summary>
    /// File holding the vault key(s), one base64 32-byte key per line, the first one active. Used when
    /// <c>TOKENPROXY_VAULT_KEY</c> is not set. Default: <c>~/.config/tokenproxy/vault.key</c> — the user's
    /// config directory, never next to the database.
    /// </summary>
    public string? KeyFile { get; set; }
}

internal sealed class RefreshOptions
{
    /// <summary>
    /// A token expiring within this margin is refreshed before use, while the margin is at most half the token's lifetime;
    /// a shorter-lived token is refreshed at 90 % of its lifetime instead. Default: 1 minute; 0 to 1 hour.
    /// </summary>
    public TimeSpan Skew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Request bodies up to this size are buffered so a request can be replayed after an upstream 401. Default: 1 MiB.</summary>
    public long MaxReplayBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long one shared refresh may take, retries included; it does not depend on any caller. Default: 30 seconds; 1 second to 10 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After an upstream 401 led to a refresh, a 401 to the new token refreshes again only after this, unless the API
    /// accepted that token in between (then its 401 refreshes at once). Default: 30 seconds; 0 to 1 hour.
    /// </summary>
    public TimeSpan UnauthorizedBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Background refresh: on/off. Default: on.</summary>
    public bool Background { get; set; } = true;

    /// <summary>How often the background refresher looks for connections to refresh. Default: 30 seconds; 1 second to 1 day.</summary>
    public TimeSpan BackgroundInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A refresh token unused this long is refreshed anyway, so idle connections stay alive and dead ones show up early. Default: 1 day; 1 minute to 365 days.</summary>
    public TimeSpan IdleRefreshAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>At most this many refreshes run at once against one token endpoint. Default: 4; 1 to 64.</summary>
    public int MaxConcurrentPerEndpoint { get; set; } = 4;
}

internal sealed class AdminOptions
{
    /// <summary>
    /// When set, every admin request needs <c>Authorization: Bearer {Token}</c>, from any address.
    /// When not set, the admin surface answers loopback clients only.
    /// </summary>
    public string? Token { get; set; }
}

/// <summary>One app allowed to use the data plane.</summary>
internal sealed class ClientOptions
{
    /// <summary>The key the app sends as <c>Proxy-Authorization: Bearer {Key}</c>; at least 32 characters.</summary>
    public string? Key { get; set; }

    /// <summary>Providers this key may use. Default: all.</summary>
    public string[]? Providers { get; set; }

    /// <summary>The only workspace whose connections this key may use. Default: any.</summary>
    public string? Workspace { get; set; }
}
