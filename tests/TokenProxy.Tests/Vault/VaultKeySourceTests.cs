using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault;

/// <summary><c>TokenProxy:Vault:KeySource</c>: checked at startup, and <c>TOKENPROXY_VAULT_KEY</c> still wins over it, saying so.</summary>
public sealed class VaultKeySourceTests
{
    [Fact]
    public async Task Unknown_key_source_is_a_configuration_problem_naming_the_allowed_values()
    {
        var directory = ProxyHost.NewDataDirectory();
        try
        {
            var (code, _, error) = await ProxyCommand.RunAsync([.. ProxyCommand.Isolated(directory), "--TokenProxy:Vault:KeySource=keyring"]);

            Assert.Equal(2, code);
            Assert.Contains("TokenProxy:Vault:KeySource: 'keyring' is not a key source; use file (the key file, TokenProxy:Vault:KeyFile) or keychain", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(directory);
        }
    }

    [Fact]
    public async Task Vault_key_variable_wins_over_the_keychain_which_is_not_read_and_the_startup_log_says_so()
    {
        var key = VaultKey.Generate();
        var settings = new Dictionary<string, string?> { ["TokenProxy:Vault:KeySource"] = "keychain" };
        // No session bus and no secret-tool: reading the keychain would fail the start.
        var environment = new Dictionary<string, string> { ["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent", ["PATH"] = "/nonexistent" };

        await using var proxy = await ProxyProcess.StartAsync(settings, key.ToBase64(), environment, dataDirectory: null);

        var ready = await proxy.WaitForLineAsync("Vault ready");
        Assert.Contains($"key from TOKENPROXY_VAULT_KEY (set, so it wins over TokenProxy:Vault:KeySource=keychain: the keychain is not read) (key id {key.Id})", ready, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Move_key_refuses_while_a_proxy_answers_at_the_configured_address_and_moves_nothing()
    {
        await using var proxy = await ProxyProcess.StartAsync(new Dictionary<string, string?>(), vaultKey: null, environment: null, dataDirectory: null);
        var keyFile = ProxyHost.KeyFileFor(proxy.DataDirectory);
        var before = await File.ReadAllTextAsync(keyFile);

        var (code, _, error) = await ProxyCommand.RunAsync(
            ["vault", "move-key", "--to", "keychain", $"--urls={proxy.Address}", .. ProxyCommand.Isolated(proxy.DataDirectory)]);

        Assert.Equal(2, code);
        Assert.Contains($"A TokenProxy is running at {proxy.Address}. Stop it, then run 'vault move-key' again", error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(keyFile));
    }
}
