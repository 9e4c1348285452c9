using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;
using Xunit.Abstractions;

namespace TokenProxy.Tests.Vault;

/// <summary>
/// <c>TokenProxy:Vault:KeySource=keychain</c> on a real Secret Service (a private bus and GNOME Keyring, never the user's),
/// with the published TokenProxy run as a separate process, killed and restarted as a person would: the key is created
/// there on the first start, opens the sealed rows after a restart, is rotated there, moved there from a key file, and
/// never lands in the data or config directory.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeychainKeyTests(SecretServiceSession session, ITestOutputHelper output) : IClassFixture<SecretServiceSession>, IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("tokenproxy-home-").FullName;
    private RecordingUpstream _api = null!;

    // The defaults a person gets, under this test's own home: the data directory and the config directory.
    private string DataDirectory => Path.Combine(_home, ".local", "share", "tokenproxy");

    private string KeyFile => Path.Combine(_home, ".config", "tokenproxy", "vault.key");

    private string EntryName => "sqlite:" + Path.Combine(DataDirectory, "tokenproxy.db");

    public async Task InitializeAsync() => _api = await RecordingUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Key_created_in_the_keychain_on_first_start_opens_the_sealed_rows_after_a_kill_and_restart_and_never_touches_the_disk()
    {
        if (!session.IsRunning(output))
        {
            return;
        }

        var token = Canary.New("access");
        string firstLog;
        await using (var first = await StartAsync())
        {
            await ImportAsync(first, token);
            Assert.Equal(HttpStatusCode.OK, (await first.Client.GetAsync("/acme/before")).StatusCode);
            firstLog = first.Output;
            first.Kill();
        }

        var stored = await session.Entry(EntryName).ReadAsync(CancellationToken.None);
        var key = Assert.Single(VaultInitializer.ParseKeys(stored!.Split(','), "the keychain"));
        Assert.Contains($"Created a new vault key in the Secret Service (secret-tool), entry '{EntryName}' (key id {key.Id})", firstLog, StringComparison.Ordinal);

        string secondLog;
        await using (var second = await StartAsync())
        {
            Assert.Equal(HttpStatusCode.OK, (await second.Client.GetAsync("/acme/after")).StatusCode);
            secondLog = second.Output;
        }

        Assert.Contains($"key from the Secret Service (secret-tool), entry '{EntryName}' (key id {key.Id}), 1 connection(s)", secondLog, StringComparison.Ordinal);
        Assert.Equal(["Bearer " + token, "Bearer " + token], _api.Requests.Select(r => r.Header("Authorization")));
        Assert.False(File.Exists(KeyFile), "No key file is created when the key lives in the keychain.");
        AssertNoKeyMaterial(key, firstLog + secondLog);
    }

    [Fact]
    public async Task Sealed_rows_and_no_key_in_the_keychain_refuse_to_start_with_exit_code_2_and_change_nothing()
    {
        if (!session.IsRunning(output))
        {
            return;
        }

        await using (var proxy = await StartAsync())
        {
            await ImportAsync(proxy, Canary.New("access"));
        }

        Assert.True(await session.Entry(EntryName).DeleteAsync(CancellationToken.None));

        var (code, _, error) = await RunAsync();

        Assert.Equal(2, code);
        Assert.Contains($"No vault key: TOKENPROXY_VAULT_KEY is not set and the Secret Service (secret-tool), entry '{EntryName}' holds no key", error, StringComparison.Ordinal);
        Assert.Contains("1 connection(s) with sealed secrets", error, StringComparison.Ordinal);
        Assert.Contains("vault move-key --to keychain", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Null(await session.Entry(EntryName).ReadAsync(CancellationToken.None));
        Assert.Equal(1, await VaultKeyHandlingTests.CountRowsAsync(DataDirectory));
    }

    [Fact]
    public async Task Move_key_moves_the_key_file_into_the_keychain_where_the_proxy_then_finds_it_and_back()
    {
        if (!session.IsRunning(output))
        {
            return;
        }

        var token = Canary.New("access");
        await using (var proxy = await StartAsync(VaultOptions.FileSource))
        {
            await ImportAsync(proxy, token);
        }

        var key = Assert.Single(VaultInitializer.ReadKeyFile(KeyFile));

        var toKeychain = await RunAsync("vault", "move-key", "--to", "keychain");

        Assert.Equal((0, string.Empty), (toKeychain.Code, toKeychain.Error));
        Assert.Contains($"Moved vault key id {key.Id} from {KeyFile} to the Secret Service (secret-tool), entry '{EntryName}'", toKeychain.Output, StringComparison.Ordinal);
        Assert.Contains("Now set TokenProxy:Vault:KeySource=keychain", toKeychain.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(KeyFile));
        Assert.Equal(key.ToBase64(), await session.Entry(EntryName).ReadAsync(CancellationToken.None));
        string log;
        await using (var proxy = await StartAsync())
        {
            Assert.Equal(HttpStatusCode.OK, (await proxy.Client.GetAsync("/acme/moved")).StatusCode);
            log = proxy.Output;
        }

        Assert.Equal("Bearer " + token, Assert.Single(_api.Requests).Header("Authorization"));
        AssertNoKeyMaterial(key, log + toKeychain.Output);

        var toFile = await RunAsync("vault", "move-key", "--to", "file");

        Assert.Equal((0, string.Empty), (toFile.Code, toFile.Error));
        Assert.Contains("Now set TokenProxy:Vault:KeySource=file", toFile.Output, StringComparison.Ordinal);
        Assert.Equal(key.Id, Assert.Single(VaultInitializer.ReadKeyFile(KeyFile)).Id);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        Assert.Null(await session.Entry(EntryName).ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Move_key_refuses_when_the_keychain_holds_another_key_for_the_store_and_changes_nothing()
    {
        if (!session.IsRunning(output))
        {
            return;
        }

        var (inFile, inKeychain) = (VaultKey.Generate(), VaultKey.Generate());
        VaultInitializer.WriteKeyFile(KeyFile, inFile);
        await session.Entry(EntryName).WriteAsync(inKeychain.ToBase64(), CancellationToken.None);

        var (code, _, error) = await RunAsync("vault", "move-key", "--to", "keychain");

        Assert.Equal(1, code);
        Assert.Contains($"already holds another vault key list for this store (key id {inKeychain.Id}; {KeyFile} has key id {inFile.Id})", error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", error, StringComparison.Ordinal);
        Assert.Equal(inFile.Id, Assert.Single(VaultInitializer.ReadKeyFile(KeyFile)).Id);
        Assert.Equal(inKeychain.ToBase64(), await session.Entry(EntryName).ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Rotation_writes_the_new_key_list_to_the_keychain_and_a_restart_opens_every_row_with_it()
    {
        if (!session.IsRunning(output))
        {
            return;
        }

        var token = Canary.New("access");
        JsonElement rotation;
        await using (var proxy = await StartAsync())
        {
            await ImportAsync(proxy, token);
            var old = await session.Entry(EntryName).ReadAsync(CancellationToken.None);
            using var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            rotation = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(VaultInitializer.ParseKeys([old!], "old").Single().Id, Assert.Single(rotation.GetProperty("retiredKeyIds").EnumerateArray()).GetString());
            proxy.Kill();
        }

        var stored = await session.Entry(EntryName).ReadAsync(CancellationToken.None);
        var key = Assert.Single(VaultInitializer.ParseKeys(stored!.Split(','), "the keychain"));
        Assert.Equal(rotation.GetProperty("activeKeyId").GetString(), key.Id);
        Assert.Equal(1, rotation.GetProperty("resealed").GetInt32());
        await using (var restarted = await StartAsync())
        {
            Assert.Equal(HttpStatusCode.OK, (await restarted.Client.GetAsync("/acme/rotated")).StatusCode);
            Assert.Contains($"(key id {key.Id}), 1 connection(s)", restarted.Output, StringComparison.Ordinal);
        }

        Assert.Equal("Bearer " + token, Assert.Single(_api.Requests).Header("Authorization"));
        AssertNoKeyMaterial(key, string.Empty);
    }

    [Fact]
    public async Task Keychain_without_a_session_bus_refuses_to_start_saying_what_to_start()
    {
        if (!session.IsRunning(output))
        {
            return;
        }

        var environment = session.EnvironmentFor(_home);
        environment["DBUS_SESSION_BUS_ADDRESS"] = $"unix:path={Path.Combine(_home, "no-bus")}";

        var (code, _, error) = await ProxyCommand.RunAsync(Arguments(VaultOptions.KeychainSource), environment: environment);

        Assert.Equal(2, code);
        Assert.Contains("The keychain cannot be used: 'secret-tool lookup' failed", error, StringComparison.Ordinal);
        Assert.Contains("D-Bus session bus", error, StringComparison.Ordinal);
        Assert.Contains("gnome-keyring-daemon --unlock", error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(DataDirectory, "tokenproxy.db")) && await VaultKeyHandlingTests.CountRowsAsync(DataDirectory) > 0);
    }

    private Task<ProxyProcess> StartAsync(string keySource = VaultOptions.KeychainSource)
    {
        var settings = ProxyHost.Provider("acme", _api.Address);
        settings["TokenProxy:DataDirectory"] = DataDirectory;
        settings["TokenProxy:Vault:KeyFile"] = KeyFile;
        settings["TokenProxy:Vault:KeySource"] = keySource;
        return ProxyProcess.StartAsync(settings, vaultKey: null, session.EnvironmentFor(_home), DataDirectory);
    }

    /// <summary>A command, or the server when it is expected to refuse to start, in this test's home on the private bus.</summary>
    private Task<(int Code, string Output, string Error)> RunAsync(params string[] words) =>
        ProxyCommand.RunAsync([.. words, .. Arguments(VaultOptions.KeychainSource)], environment: session.EnvironmentFor(_home));

    private string[] Arguments(string keySource) =>
    [
        // A port of its own: a command first asks whoever listens on the configured address.
        $"--urls=http://127.0.0.1:{ProxyHost.FreePort()}",
        $"--TokenProxy:DataDirectory={DataDirectory}",
        $"--TokenProxy:Vault:KeyFile={KeyFile}",
        $"--TokenProxy:Vault:KeySource={keySource}",
    ];

    private static async Task ImportAsync(ProxyProcess proxy, string token)
    {
        using var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new { provider = "acme", accessToken = token }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>No form of the key in any file under this test's home (its data and config directories) nor in the output.</summary>
    private void AssertNoKeyMaterial(VaultKey key, string log)
    {
        var files = Directory.EnumerateFiles(_home, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("tokenproxy.db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            Assert.False(bytes.AsSpan().IndexOf(key.Material) >= 0, $"The vault key's bytes are in {file}.");
            Canary.AssertAbsent(key.ToBase64(), bytes, file);
        }

        Canary.AssertAbsent(key.ToBase64(), log, "the output");
    }
}
