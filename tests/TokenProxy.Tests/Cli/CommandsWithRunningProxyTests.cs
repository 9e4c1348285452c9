using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Cli;

/// <summary>
/// With a proxy running on its SQLite store, the commands go through its admin API at the configured address (with the
/// admin token, and the CSRF header the API needs), so none of them trips over the store's one-process lock; the ones
/// that must open the store themselves say to stop the proxy.
/// </summary>
public sealed class CommandsWithRunningProxyTests : IAsyncLifetime
{
    private const string AdminToken = "admin-token-0123456789abcdef";
    private FakeAuthorizationServer _authorization = null!;
    private RecordingUpstream _api = null!;
    private ProxyProcess _proxy = null!;

    private string[] Options => ["--urls", _proxy.Address.AbsoluteUri, $"--TokenProxy:Admin:Token={AdminToken}", .. ProxyCommand.Isolated(_proxy.DataDirectory)];

    public async Task InitializeAsync()
    {
        _authorization = await FakeAuthorizationServer.StartAsync();
        _api = await RecordingUpstream.StartAsync();
        var settings = _authorization.Provider("acme", _api.Address);
        settings["TokenProxy:Admin:Token"] = AdminToken;
        settings["TokenProxy:Providers:robot:ApiBaseUrl"] = _api.Address.AbsoluteUri;
        settings["TokenProxy:Providers:robot:Auth"] = "ClientCredentials";
        settings["TokenProxy:Providers:robot:ClientId"] = "robot-client";
        settings["TokenProxy:Providers:robot:ClientSecret"] = "robot-secret";
        settings["TokenProxy:Providers:robot:TokenUrl"] = _authorization.TokenUrl.AbsoluteUri;
        _proxy = await ProxyProcess.StartAsync(settings, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _api.DisposeAsync();
        await _authorization.DisposeAsync();
    }

    [Fact]
    public async Task A_running_proxy_whose_store_is_down_makes_the_commands_exit_2_as_a_store_problem()
    {
        CountingStore? store = null;
        await using var proxy = await ProxyHost.StartAsync(services: s => CountingStore.Wrap(s, created => store = created));
        store!.Unavailable = true;
        string[] options = ["--urls", proxy.Address.AbsoluteUri, .. ProxyCommand.Isolated(proxy.DataDirectory)];

        var listed = await CommandRun.RunAsync(["connections", "list", .. options]);
        var imported = await CommandRun.RunAsync(["connections", "import", "-", .. options], """{"provider":"github","accessToken":"abc"}""");
        store.Unavailable = false;
        var refused = await CommandRun.RunAsync(["connections", "delete", "conn_00000000000000000000", .. options]);

        Assert.Equal(2, listed.Code);
        Assert.StartsWith("503 ", listed.Error, StringComparison.Ordinal);
        Assert.Equal(2, imported.Code);
        Assert.Equal(1, refused.Code); // an operation that failed, the store being fine
    }

    [Fact]
    public async Task A_refused_refresh_says_once_what_failed_and_what_the_provider_said()
    {
        var body = JsonSerializer.Serialize(new { provider = "acme", label = "refused", accessToken = Canary.New("access"), refreshToken = Canary.New("refresh"), expiresIn = 3600 });
        var imported = await CommandRun.RunAsync(["connections", "import", "-", .. Options], body);
        var id = System.Text.RegularExpressions.Regex.Match(imported.Output, @"conn_\w+").Value;
        _authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant", error_description = "Refresh token revoked" });

        var refreshed = await CommandRun.RunAsync(["connections", "refresh", id, .. Options]);

        Assert.Equal(1, refreshed.Code);
        Assert.Equal(
            "502 Failed to refresh connection. You may need to reconnect. (the provider said invalid_grant: Refresh token revoked)",
            refreshed.Error.TrimEnd());
    }

    [Fact]
    public async Task Connection_commands_work_through_the_running_proxy_and_say_why_when_they_fail()
    {
        var access = Canary.New("access");
        var refresh = Canary.New("refresh");
        var body = JsonSerializer.Serialize(new { provider = "acme", accessToken = access, refreshToken = refresh, expiresIn = 3600 });

        var imported = await CommandRun.RunAsync(["connections", "import", "-", .. Options], body);
        var id = System.Text.RegularExpressions.Regex.Match(imported.Output, @"conn_\w+").Value;
        var listed = await CommandRun.RunAsync(["connections", "list", .. Options]);
        using (var workspace = ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "acme-co" }))
        {
            workspace.Headers.Authorization = new("Bearer", AdminToken);
            using var created = await _proxy.Client.SendAsync(workspace);
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        }

        var listedInWorkspace = await CommandRun.RunAsync(["connections", "list", "acme-co", "alice", .. Options]);
        var refreshed = await CommandRun.RunAsync(["connections", "refresh", id, .. Options]);
        var revoked = await CommandRun.RunAsync(["connections", "revoke", id, .. Options]);
        var revokedAgain = await CommandRun.RunAsync(["connections", "revoke", id, .. Options]);
        var refreshRevoked = await CommandRun.RunAsync(["connections", "refresh", id, .. Options]);
        var deleted = await CommandRun.RunAsync(["connections", "delete", id, .. Options]);
        var deletedAgain = await CommandRun.RunAsync(["connections", "delete", id, .. Options]);
        var unknownProvider = await CommandRun.RunAsync(["connections", "import", "-", .. Options], """{"provider":"nope","accessToken":"x"}""");

        Assert.Equal((0, string.Empty), (imported.Code, imported.Error));
        Assert.Contains($"Imported {id} (acme/default, active).", imported.Output, StringComparison.Ordinal);
        Assert.Equal(0, listed.Code);
        Assert.Matches($@"{id}\s+acme\s+default\s+-\s+-\s+active\s+\d{{4}}-", listed.Output);
        Assert.Equal(0, listedInWorkspace.Code);
        Assert.DoesNotContain(id, listedInWorkspace.Output, StringComparison.Ordinal);
        Assert.Equal(0, refreshed.Code);
        Assert.Contains($"Connection refreshed. {id} (acme/default, active)", refreshed.Output, StringComparison.Ordinal);
        Assert.Equal(1, _authorization.Calls);
        Assert.Equal(0, revoked.Code);
        Assert.Contains($"Connection revoked. {id} (acme/default, revoked). At the provider: revoked", revoked.Output, StringComparison.Ordinal);
        Assert.Equal((1, "409 Connection already revoked."), (revokedAgain.Code, revokedAgain.Error.Split(" Connection '")[0]));
        Assert.Equal(1, refreshRevoked.Code);
        Assert.Equal(0, deleted.Code);
        Assert.Contains($"Deleted connection {id}", deleted.Output, StringComparison.Ordinal);
        Assert.Equal(1, deletedAgain.Code);
        Assert.Contains($"404 Connection not found. There is no connection '{id}'.", deletedAgain.Error, StringComparison.Ordinal);
        Assert.Equal(1, unknownProvider.Code);
        Assert.StartsWith("400 The request is not valid.", unknownProvider.Error, StringComparison.Ordinal);
        foreach (var run in new[] { imported, listed, refreshed, revoked, revokedAgain, deleted, deletedAgain })
        {
            Canary.AssertAbsent(access, run.All, "command output");
            Canary.AssertAbsent(refresh, run.All, "command output");
        }

        // It was the running proxy that did all this: its store shows the outcome and it still serves.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/connections");
        request.Headers.Authorization = new("Bearer", AdminToken);
        using var response = await _proxy.Client.SendAsync(request);
        Assert.Empty(await response.Content.ReadFromJsonAsync<JsonElement[]>() ?? []);
    }

    [Fact]
    public async Task Providers_list_sends_the_admin_token_and_without_it_says_the_token_is_needed()
    {
        var listed = await CommandRun.RunAsync(["providers", "list", .. Options]);
        var refused = await CommandRun.RunAsync(["providers", "list", "--urls", _proxy.Address.AbsoluteUri, .. ProxyCommand.Isolated(_proxy.DataDirectory)]);
        var wrong = await CommandRun.RunAsync(
            ["providers", "list", "--urls", _proxy.Address.AbsoluteUri, "--TokenProxy:Admin:Token=not-the-admin-token-0123456789", .. ProxyCommand.Isolated(_proxy.DataDirectory)]);

        Assert.Equal((0, string.Empty), (listed.Code, listed.Error));
        Assert.Matches($@"acme\s+yes\s+{System.Text.RegularExpressions.Regex.Escape(_api.Address.AbsoluteUri)}", listed.Output);
        Assert.Matches(@"github\s+no \(set ClientId\)\s+https://api\.github\.com/", listed.Output);
        Assert.Matches(@"stripe\s+no \(import only\)\s+https://api\.stripe\.com/\s+\S+/admin/providers/stripe/import\?kind=apikey\s+apikey", listed.Output);
        Assert.Matches(@"robot\s+yes \(client credentials\)\s+\S+\s+\S+/admin/providers/robot/import\?kind=clientcredentials\s+clientcredentials", listed.Output);
        Assert.Matches(@"zendesk\s+no \(set ClientId\)\s+.*\s+oauth2,basic\r?\n", listed.Output);
        Assert.Equal(2, refused.Code);
        Assert.Contains("give it the proxy's admin token (TokenProxy:Admin:Token", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, wrong.Code);
        Assert.Contains("401 Admin token refused.", wrong.Error, StringComparison.Ordinal);
        Assert.Contains("refused the admin token this command was given (TokenProxy:Admin:Token): it is not the running proxy's.", wrong.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-admin-token-0123456789", wrong.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vault_commands_use_the_api_to_rotate_and_refuse_to_open_the_store_beside_the_proxy()
    {
        var rotate = await CommandRun.RunAsync(["vault", "rotate-key", .. Options]);
        var export = await CommandRun.RunAsync(["vault", "export", Path.Combine(_proxy.DataDirectory, "export.json"), .. Options]);

        // This proxy's key comes from TOKENPROXY_VAULT_KEY: the API says where to rotate it.
        Assert.Equal(1, rotate.Code);
        Assert.Contains("409 The vault key cannot be rotated here. The vault key comes from TOKENPROXY_VAULT_KEY", rotate.Error, StringComparison.Ordinal);
        Assert.Equal(2, export.Code);
        Assert.Contains($"A TokenProxy is running at {_proxy.Address} and holds the SQLite store. Stop it", export.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_proxy.DataDirectory, "export.json")));
    }

    [Fact]
    public async Task A_proxy_answering_at_the_address_does_not_stop_the_export_of_a_store_it_does_not_hold()
    {
        var other = ProxyHost.NewDataDirectory();
        try
        {
            var file = Path.Combine(other, "export.json");
            var export = await CommandRun.RunAsync(["vault", "export", file, "--urls", _proxy.Address.AbsoluteUri, .. ProxyCommand.Isolated(other)]);

            Assert.Equal(0, export.Code);
            Assert.True(File.Exists(file));
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(other);
        }
    }
}
