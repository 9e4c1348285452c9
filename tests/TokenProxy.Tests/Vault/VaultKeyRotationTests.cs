using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault;

/// <summary>Online key rotation (docs/architecture.md §6: E28): re-seal everything under a new key while serving, retire the old one only when unused.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VaultKeyRotationTests
{
    [Fact]
    public async Task Rotation_reseals_every_row_while_serving_and_retires_the_old_key()
    {
        await using var scenario = await ProxyScenario.StartAsync();
        var tokens = Enumerable.Range(0, 20).Select(i => Canary.New($"t{i}")).ToList();
        for (var i = 0; i < tokens.Count; i++)
        {
            await scenario.Proxy.ImportAsync("acme", tokens[i], label: $"c{i}", refreshToken: Canary.New($"r{i}"));
        }

        var oldKey = scenario.Proxy.Services.GetRequiredService<VaultKeyRing>().Active.Id;
        using var serving = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            var failures = 0;
            while (!serving.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/x");
                request.Headers.Add("TokenProxy-Connection", $"c{Random.Shared.Next(tokens.Count)}");
                using var response = await scenario.Proxy.Client.SendAsync(request);
                failures += response.IsSuccessStatusCode ? 0 : 1;
            }

            return failures;
        });

        using var rotate = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key"));
        var result = await rotate.Content.ReadFromJsonAsync<JsonElement>();
        await serving.CancelAsync();
        var failures = await traffic;

        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        Assert.Equal(0, failures);
        Assert.Equal(20, result.GetProperty("resealed").GetInt32());
        Assert.Equal([oldKey], result.GetProperty("retiredKeyIds").EnumerateArray().Select(e => e.GetString()));
        var newKey = result.GetProperty("activeKeyId").GetString()!;
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(newKey, Assert.Single(scenario.Proxy.Services.GetRequiredService<VaultKeyRing>().Keys).Id);
        var keyLines = File.ReadAllLines(scenario.Proxy.KeyFile).Where(l => !l.StartsWith('#')).ToList();
        Assert.Single(keyLines);
        Assert.Equal(newKey, VaultKey.TryParse(keyLines[0], out _)!.Id);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(scenario.Proxy.KeyFile));
    }

    [Fact]
    public async Task Interrupted_rotation_leaves_every_row_readable_and_is_finished_on_the_next_start()
    {
        var token = Canary.New("access");
        await using var scenario = await ProxyScenario.StartAsync();
        await scenario.Proxy.ImportAsync("acme", token);
        // The crash point: the new key is in the file, no row has been re-sealed yet.
        var ring = scenario.Proxy.Services.GetRequiredService<VaultKeyRing>();
        var newKey = VaultKey.Generate();
        VaultInitializer.ReplaceKeyFile(scenario.Proxy.KeyFile, [newKey, .. ring.Keys]);
        await scenario.StopAsync();

        var restarted = await scenario.RestartAsync();
        using var response = await restarted.Client.GetAsync("/acme/user");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"Bearer {token}", Assert.Single(scenario.Api.Requests).Header("Authorization"));
        Assert.Equal(newKey.Id, Assert.Single(restarted.Services.GetRequiredService<VaultKeyRing>().Keys).Id);
    }

    [Fact]
    public async Task Rotation_reseals_api_keys_and_basic_credentials_under_their_own_fields()
    {
        var key = Canary.New("apikey");
        var password = Canary.New("password");
        await using var scenario = await ProxyScenario.StartAsync(configure: Proxy.CredentialKindTests.Configure);
        foreach (var body in new object[] { new { provider = "headerkey", apiKey = key }, new { provider = "basic", username = "u", password } })
        {
            using var created = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", body));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var rotate = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key"));
        var result = await rotate.Content.ReadFromJsonAsync<JsonElement>();
        var restarted = await scenario.RestartAsync();
        using var keyed = await restarted.Client.GetAsync("/headerkey/x");
        using var basic = await restarted.Client.GetAsync("/basic/x");

        Assert.Equal(2, result.GetProperty("resealed").GetInt32());
        Assert.Single(result.GetProperty("retiredKeyIds").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        Assert.Contains(scenario.Api.Requests, r => r.Header("X-Api-Key") == $"Token token={key}");
        Assert.Contains(scenario.Api.Requests, r => r.Header("Authorization") == "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"u:{password}")));
    }

    [Fact]
    public async Task With_keys_from_the_environment_the_endpoint_reseals_under_the_first_so_the_old_one_can_be_dropped()
    {
        // README, Vault key: "With TOKENPROXY_VAULT_KEY, rotate there: new,old, restart, call the endpoint to re-seal,
        // then drop old".
        await using var api = await RecordingUpstream.StartAsync();
        var (oldKey, newKey) = (VaultKey.Generate().ToBase64(), VaultKey.Generate().ToBase64());
        var directory = ProxyHost.NewDataDirectory();
        var settings = new Dictionary<string, string?> { ["TokenProxy:DataDirectory"] = directory };
        TokenProxy.Tests.Proxy.CredentialKindTests.Configure(settings, api.Address);
        var apiKey = Canary.New("apikey");
        try
        {
            await using (var first = await ProxyProcess.StartAsync(settings, oldKey))
            {
                using var import = await first.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
                    new { provider = "headerkey", label = "default", apiKey }));
                Assert.Equal(HttpStatusCode.Created, import.StatusCode);
            }

            await using (var both = await ProxyProcess.StartAsync(settings, $"{newKey},{oldKey}"))
            {
                using var rotate = await both.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key"));
                Assert.True(rotate.IsSuccessStatusCode, await rotate.Content.ReadAsStringAsync());
            }

            await using (var onlyNew = await ProxyProcess.StartAsync(settings, newKey))
            {
                using var response = await onlyNew.Client.GetAsync("/headerkey/x");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        Assert.Equal($"Token token={apiKey}", Assert.Single(api.Requests).Header("X-Api-Key"));
    }
}
