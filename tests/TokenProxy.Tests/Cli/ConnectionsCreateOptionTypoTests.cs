using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Cli;

/// <summary>
/// <c>connections create</c> asks the provider for tokens with real scopes: a misspelt <c>--scopes</c> must be a usage
/// error, not a connection created silently with the provider's default scopes.
/// </summary>
public sealed class ConnectionsCreateOptionTypoTests : IAsyncLifetime
{
    private readonly string _directory = ProxyHost.NewDataDirectory();
    private OidcProviderServer _server = null!;
    private RecordingUpstream _api = null!;

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
    public async Task A_misspelt_scopes_option_is_a_usage_error_and_no_grant_is_run()
    {
        string[] options =
        [
            "--urls", $"http://127.0.0.1:{ProxyHost.FreePort()}", .. ProxyCommand.Isolated(_directory),
            .. ClientCredentialsScenario.Settings(_server, _api.Address).Select(s => $"--{s.Key}={s.Value}"),
        ];

        // Today: exit 0, "Created conn_… (oidc/robot, active)", with the provider's default scopes.
        var typo = await CommandRun.RunAsync(["connections", "create", "oidc", "robot", "--scope", "profile", .. options]);

        Assert.Equal(TokenProxy.Cli.CommandLine.UsageError, typo.Code);
        Assert.Equal(0, (await _server.StatsAsync()).GetProperty("client_credentials").GetInt32());
    }
}
