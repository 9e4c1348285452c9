using Microsoft.Extensions.Options;
using TokenProxy.Hosting;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Vault;

internal static class VaultServiceCollectionExtensions
{
    public static IServiceCollection AddVault(this IServiceCollection services)
    {
        services.AddSingleton<VaultKeyRing>();
        services.AddSingleton<SecretSealer>();
        services.AddSingleton<VaultKeyRotator>();
        services.AddSingleton<IConnectionStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TokenProxyOptions>>().Value;
            var paths = sp.GetRequiredService<DataPaths>();
            return new SqliteConnectionStore(SqlitePath(options.Store.ConnectionString) ?? Path.Combine(paths.DataDirectory, "tokenproxy.db"));
        });
        services.AddHostedService<VaultInitializer>();
        return services;
    }

    /// <summary>For SQLite the connection string may be a plain file path or <c>Data Source=…</c>.</summary>
    private static string? SqlitePath(string? connectionString) =>
        connectionString is null || !connectionString.Contains('=', StringComparison.Ordinal)
            ? connectionString
            : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
}
