using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Cli;

/// <summary>
/// <c>connections create PROVIDER LABEL [--scopes …]</c> against the real oidc-provider, with no proxy running (the command
/// opens the store itself): the connection exists once the provider issued its first token, and a refusal or a label in
/// use fails the command with the problem's words.
/// </summary>
public sealed class ConnectionsCreateCommandTests : IAsyncLifetime
{
    private readonly string _directory = ProxyHost.NewDataDirectory();
    private OidcProviderServer _server = null!;
    private RecordingUpstream _api = null!;

    private string[] Options =>
    [
        "--urls", $"http://127.0.0.1:{ProxyHost.FreePort()}", .. ProxyCommand.Isolated(_directory),
        .. ClientCredentialsScenario.Settings(_server, _api.Address).Select(s => $"--{s.Key}={s.Value}"),
    ];

    public async Task InitializeAsync()
    {
        _server = await OidcProviderServer.StartAsync("http://127.0.0.1:9/admin/callback/oidc", accessTokenSeconds: 600);
        _api = await RecordingUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _server.DisposeAsync();
        ProxyHost.DeleteDataDirectory(_directory);
    }

    [Fact]
    public async Task Create_runs_the_grant_and_stores_the_connection_and_says_why_when_it_cannot()
    {
        var created = await CommandRun.RunAsync(["connections", "create", "oidc", "robot", "--scopes", "api:read profile", .. Options]);
        var id = System.Text.RegularExpressions.Regex.Match(created.Output, @"conn_\w+").Value;
        var listed = await CommandRun.RunAsync(["connections", "list", .. Options]);
        var refreshed = await CommandRun.RunAsync(["connections", "refresh", id, .. Options]);
        var again = await CommandRun.RunAsync(["connections", "create", "oidc", "robot", .. Options]);
        var refused = await CommandRun.RunAsync(["connections", "create", "oidc", "admin", "--scopes=api:admin", .. Options]);
        var misplaced = await CommandRun.RunAsync(["connections", "list", "--scopes", "api:read", .. Options]);

        Assert.True(created.Code == 0, created.All);
        Assert.Contains($"Created {id} (oidc/robot, active).", created.Output, StringComparison.Ordinal);
        Assert.Matches($@"{id}\s+oidc\s+robot\s+-\s+-\s+active\s+\d{{4}}-", listed.Output);
        Assert.True(refreshed.Code == 0, refreshed.All);
        Assert.Equal(1, again.Code);
        Assert.Contains("409 Label already in use.", again.Error, StringComparison.Ordinal);
        Assert.Equal(1, refused.Code);
        Assert.Contains("invalid_scope", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("admin", (await CommandRun.RunAsync(["connections", "list", .. Options])).Output, StringComparison.Ordinal);
        Assert.Equal(TokenProxy.Cli.CommandLine.UsageError, misplaced.Code);
        // The create, the refresh and the refused create; a label in use is answered before the provider is asked.
        Assert.Equal(3, (await _server.StatsAsync()).GetProperty("client_credentials").GetInt32());
        Canary.AssertAbsent(OidcProviderServer.ClientSecret, created.All + refreshed.All + again.All + refused.All, "command output");
    }
}
