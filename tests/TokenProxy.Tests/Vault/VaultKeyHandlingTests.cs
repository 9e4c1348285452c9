using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault;

/// <summary>Key sourcing fails closed (docs/architecture.md §6, E27): never a new key over existing ciphertext, never a deleted row.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VaultKeyHandlingTests
{
    [Fact]
    public async Task First_start_of_an_empty_store_creates_a_key_file_readable_by_its_owner_only()
    {
        await using var proxy = await ProxyHost.StartAsync();

        Assert.True(File.Exists(proxy.KeyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(proxy.KeyFile));
        Assert.NotEqual(Path.GetDirectoryName(proxy.KeyFile), Path.GetDirectoryName(proxy.DatabasePath));
    }

    [Fact]
    public async Task Key_file_readable_by_others_refuses_to_start()
    {
        var directory = ProxyHost.NewDataDirectory();
        await (await ProxyHost.StartAsync(dataDirectory: directory)).DisposeAsync();
        File.SetUnixFileMode(ProxyHost.KeyFileFor(directory), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = await Assert.ThrowsAsync<VaultStartupException>(() => ProxyHost.StartAsync(dataDirectory: directory));

        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
        Assert.Contains("0644", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_key_with_sealed_rows_refuses_to_start_and_keeps_every_row()
    {
        var directory = ProxyHost.NewDataDirectory();
        await using (var proxy = await ProxyHost.StartAsync(dataDirectory: directory))
        {
            await proxy.ImportAsync("github", Canary.New("pat"));
        }

        File.Delete(ProxyHost.KeyFileFor(directory));

        var error = await Assert.ThrowsAsync<VaultStartupException>(() => ProxyHost.StartAsync(dataDirectory: directory));

        Assert.Contains("No vault key", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 connection(s)", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(ProxyHost.KeyFileFor(directory)), "A new key must not be generated over existing ciphertext.");
        Assert.Equal(1, await CountRowsAsync(directory));
    }

    [Fact]
    public async Task Wrong_key_refuses_to_start_and_keeps_every_row()
    {
        var directory = ProxyHost.NewDataDirectory();
        await using (var proxy = await ProxyHost.StartAsync(dataDirectory: directory))
        {
            await proxy.ImportAsync("github", Canary.New("pat"));
        }

        var wrong = VaultKey.Generate();
        var settings = new Dictionary<string, string?> { [VaultInitializer.KeyVariable] = wrong.ToBase64() };

        var error = await Assert.ThrowsAsync<VaultStartupException>(() => ProxyHost.StartAsync(settings, dataDirectory: directory));

        Assert.Contains(wrong.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("1 of 1 sealed connection(s) and provider(s) use key id", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed or deleted", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.ToBase64(), error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await CountRowsAsync(directory));
    }

    [Fact]
    public async Task Key_from_the_environment_variable_is_used_and_no_key_file_is_written()
    {
        var key = VaultKey.Generate();
        var directory = ProxyHost.NewDataDirectory();
        var settings = new Dictionary<string, string?> { [VaultInitializer.KeyVariable] = key.ToBase64() };
        await using (var proxy = await ProxyHost.StartAsync(settings, dataDirectory: directory))
        {
            await proxy.ImportAsync("github", Canary.New("pat"));
            Assert.False(File.Exists(proxy.KeyFile));
            Assert.Equal(key.Id, proxy.Services.GetRequiredService<VaultKeyRing>().Active.Id);
        }

        // The same key opens the store again.
        await using var again = await ProxyHost.StartAsync(settings, dataDirectory: directory);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public async Task Malformed_key_refuses_to_start_with_a_hint(string key)
    {
        var settings = new Dictionary<string, string?> { [VaultInitializer.KeyVariable] = key };

        var error = await Assert.ThrowsAsync<VaultStartupException>(() => ProxyHost.StartAsync(settings));

        Assert.Contains("openssl rand -base64 32", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<long> CountRowsAsync(string directory)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory, "tokenproxy.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM connections";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
