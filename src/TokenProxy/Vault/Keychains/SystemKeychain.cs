namespace TokenProxy.Vault.Keychains;

/// <summary>This operating system's keychain, and the name under which a store keeps its vault key there.</summary>
internal static class SystemKeychain
{
    /// <summary>The keychain of this operating system for the entry <paramref name="name"/>.</summary>
    public static IKeychain For(string name) =>
        OperatingSystem.IsWindows() ? new WindowsCredentialKeychain(name)
        : OperatingSystem.IsMacOS() ? new MacOSKeychain(name)
        : new SecretServiceKeychain(name);

    /// <summary>
    /// <c>TokenProxy:Vault:KeychainName</c>, or the store's own name: <c>sqlite:</c> and the database file's full path, or
    /// <c>postgresql://host:port/database</c>. Two stores on one machine get two entries; the instances of one PostgreSQL
    /// store find the same name (on their own machines' keychains).
    /// </summary>
    public static string NameFor(VaultOptions vault, StoreOptions store, DataPaths paths)
    {
        if (vault.KeychainName is { Length: > 0 } configured)
        {
            return configured;
        }

        if (!store.IsPostgres)
        {
            return "sqlite:" + Path.GetFullPath(ConnectionStoreFactory.SqliteDatabasePath(store, paths));
        }

        var postgres = new Npgsql.NpgsqlConnectionStringBuilder(store.ConnectionString);
        return $"postgresql://{postgres.Host}:{postgres.Port}/{postgres.Database ?? postgres.Username}";
    }
}
