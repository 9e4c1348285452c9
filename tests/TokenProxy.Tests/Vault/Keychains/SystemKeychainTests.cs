using Microsoft.Extensions.Options;
using TokenProxy.Vault;
using TokenProxy.Vault.Keychains;

namespace TokenProxy.Tests.Vault.Keychains;

/// <summary>The keychain entry is named after the store, so two stores on one machine never share a key.</summary>
public sealed class SystemKeychainTests
{
    [Fact]
    public void Two_sqlite_stores_get_two_entries_named_by_their_database_files_full_path()
    {
        var first = NameFor(new StoreOptions(), dataDirectory: "/srv/one");
        var second = NameFor(new StoreOptions { ConnectionString = "Data Source=/srv/two/proxy.db" }, dataDirectory: "/srv/one");

        Assert.Equal("sqlite:/srv/one/tokenproxy.db", first);
        Assert.Equal("sqlite:/srv/two/proxy.db", second);
        Assert.Equal("sqlite:" + Path.GetFullPath("relative.db"), NameFor(new StoreOptions { ConnectionString = "relative.db" }, "/srv/one"));
    }

    [Fact]
    public void A_postgres_store_is_named_by_host_port_and_database_never_by_its_password()
    {
        var name = NameFor(new StoreOptions { Kind = "Postgres", ConnectionString = "Host=db.internal;Port=5433;Database=tokens;Username=proxy;Password=hunter2" }, "/srv/one");

        Assert.Equal("postgresql://db.internal:5433/tokens", name);
    }

    [Fact]
    public void A_configured_keychain_name_wins_so_a_moved_store_finds_its_former_entry()
    {
        var name = SystemKeychain.NameFor(new VaultOptions { KeychainName = "sqlite:/old/place/tokenproxy.db" }, new StoreOptions(), Paths("/new/place"));

        Assert.Equal("sqlite:/old/place/tokenproxy.db", name);
    }

    private static string NameFor(StoreOptions store, string dataDirectory) => SystemKeychain.NameFor(new VaultOptions(), store, Paths(dataDirectory));

    private static DataPaths Paths(string dataDirectory) =>
        new(Options.Create(new DataDirectoryOptions { DataDirectory = dataDirectory }), Options.Create(new VaultOptions()));
}
