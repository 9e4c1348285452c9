using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Cli;

/// <summary>With no proxy answering at the configured address, the commands open the store themselves, and leave it free afterwards.</summary>
public sealed class CommandsWithoutProxyTests : IAsyncLifetime
{
    private readonly string _directory = ProxyHost.NewDataDirectory();
    private FakeAuthorizationServer _authorization = null!;
    private RecordingUpstream _api = null!;

    private string[] Options =>
    [
        "--urls", $"http://127.0.0.1:{ProxyHost.FreePort()}", .. ProxyCommand.Isolated(_directory),
        .. _authorization.Provider("acme", _api.Address).Select(s => $"--{s.Key}={s.Value}"),
    ];

    public async Task InitializeAsync()
    {
        _authorization = await FakeAuthorizationServer.StartAsync();
        _api = await RecordingUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _authorization.DisposeAsync();
        ProxyHost.DeleteDataDirectory(_directory);
    }

    [Fact]
    public async Task Commands_open_the_store_import_refresh_rotate_revoke_and_delete_and_release_it()
    {
        var file = Path.Combine(_directory, "import.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new[]
        {
            new { provider = "acme", label = "one", accessToken = Canary.New("access"), refreshToken = "refresh-0", expiresIn = 3600 },
            new { provider = "acme", label = "two", accessToken = Canary.New("access"), refreshToken = "refresh-0", expiresIn = 3600 },
        }));

        var imported = await CommandRun.RunAsync(["connections", "import", file, .. Options]);
        var ids = System.Text.RegularExpressions.Regex.Matches(imported.Output, @"conn_\w+").Select(m => m.Value).ToArray();
        var rotated = await CommandRun.RunAsync(["vault", "rotate-key", .. Options]);
        var refreshed = await CommandRun.RunAsync(["connections", "refresh", ids[0], .. Options]);
        var revoked = await CommandRun.RunAsync(["connections", "revoke", ids[0], .. Options]);
        var deleted = await CommandRun.RunAsync(["connections", "delete", ids[1], .. Options]);
        var providers = await CommandRun.RunAsync(["providers", "list", .. Options]);
        var listed = await CommandRun.RunAsync(["connections", "list", .. Options]);

        Assert.Equal((0, 2), (imported.Code, ids.Length));
        Assert.Equal(0, rotated.Code);
        Assert.Matches(@"^New vault key id \w+; 2 connection\(s\) re-sealed with it; retired key id \w+\.", rotated.Output);
        Assert.Equal(0, refreshed.Code);
        Assert.Equal(1, _authorization.Calls);
        Assert.Equal(0, revoked.Code);
        Assert.Equal(0, deleted.Code);
        Assert.Equal(0, providers.Code);
        Assert.Equal(0, listed.Code);
        Assert.Matches($@"{ids[0]}\s+acme\s+one\s+-\s+-\s+revoked", listed.Output);
        Assert.DoesNotContain(ids[1], listed.Output, StringComparison.Ordinal);

        // Every command closed the store behind it: the server can start on it now.
        await using var proxy = await ProxyHost.StartAsync(dataDirectory: _directory);
    }

    [Fact]
    public async Task An_import_of_several_names_the_items_not_imported_and_keeps_the_others()
    {
        var file = Path.Combine(_directory, "import.json");
        var refused = Canary.New("access");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new object[]
        {
            new { provider = "acme", label = "one", accessToken = Canary.New("access") },
            new { provider = "acme", label = "two", access_token = refused },
            new { provider = "acme", label = "three", accessToken = Canary.New("access") },
        }));

        var imported = await CommandRun.RunAsync(["connections", "import", file, .. Options]);
        var listed = await CommandRun.RunAsync(["connections", "list", .. Options]);

        Assert.Equal(1, imported.Code);
        Assert.Contains("(item 2 of 3: not imported)", imported.Error, StringComparison.Ordinal);
        Assert.Contains("Imported 2 of 3; not imported: item 2 (counted from 1).", imported.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(refused, imported.All, StringComparison.Ordinal);
        Assert.Matches(@"acme\s+one\s", listed.Output);
        Assert.Matches(@"acme\s+three\s", listed.Output);
        Assert.DoesNotMatch(@"acme\s+two\s", listed.Output);
    }

    [Fact]
    public async Task A_command_sends_no_webhook_and_the_proxy_sends_its_events_once_it_runs()
    {
        await using var receiver = await Webhooks.WebhookReceiver.StartAsync();
        var webhook = Webhooks.WebhookSetup.Settings(receiver.Url, receiver.Secret);
        webhook.Remove("TokenProxy:Providers:acme:ApiBaseUrl");
        string[] options = [.. Options, .. webhook.Where(s => s.Key.StartsWith("TokenProxy:Webhooks:", StringComparison.Ordinal)).Select(s => $"--{s.Key}={s.Value}")];
        var file = Path.Combine(_directory, "import.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { provider = "acme", label = "one", accessToken = Canary.New("access") }));

        var imported = await CommandRun.RunAsync(["connections", "import", file, .. options]);

        // The command's own server lives for one command: a receiver that hangs would hold it, and its stop, 10 s a send.
        Assert.True(imported.Code == 0, imported.All);
        Assert.Equal(0, receiver.Arrived);
        await using var proxy = await ProxyHost.StartAsync(webhook, dataDirectory: _directory);
        var received = await receiver.WaitForAsync(r => r.Count >= 1, "the connection.created event the command appended");
        Assert.Equal("connection.created", Assert.Single(received).EventType);
    }

    [Fact]
    public async Task Json_given_where_the_file_name_goes_is_refused_without_echoing_its_token()
    {
        var token = Canary.New("access");

        var run = await CommandRun.RunAsync(["connections", "import", $$"""{"provider":"acme","accessToken":"{{token}}"}""", .. Options]);

        Assert.NotEqual(0, run.Code);
        Assert.Contains("The FILE argument is JSON, not a file name.", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, run.All, StringComparison.Ordinal);

        // A bare token there is a file that does not exist: said so, without the name.
        var bare = await CommandRun.RunAsync(["connections", "import", token, .. Options]);
        Assert.Equal(2, bare.Code);
        Assert.DoesNotContain(token, bare.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_over_the_admin_apis_size_limit_fails_with_a_line_not_a_stack_trace()
    {
        var file = Path.Combine(_directory, "big.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { provider = "acme", accessToken = new string('x', 31 * 1024 * 1024) }));

        var run = await CommandRun.RunAsync(["connections", "import", file, .. Options]);

        Assert.Equal(1, run.Code);
        Assert.Contains("the connection closed while it was being sent (a body of 31.0 MB; the admin API takes at most 30 MB)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_option_only_create_takes_is_unknown_to_list_and_the_usage_names_only_what_list_takes()
    {
        var run = await CommandRun.RunAsync(["connections", "list", "--scopes", "x", .. Options]);

        Assert.Equal(TokenProxy.Cli.CommandLine.UsageError, run.Code);
        Assert.Contains("connections list: unknown option '--scopes'. Options are --config, --urls", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_a_workspace_that_does_not_exist_says_so_instead_of_an_empty_table()
    {
        var run = await CommandRun.RunAsync(["connections", "list", "acme-cp", .. Options]);

        Assert.Equal(1, run.Code);
        Assert.Contains("404", run.Error, StringComparison.Ordinal);
        Assert.Contains("acme-cp", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("PROVIDER", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--urlz", "http://127.0.0.1:5291", "Unknown option '--urlz' (did you mean --urls?).")]
    [InlineData("--AllowedHost", "x", "Unknown option '--AllowedHost' (did you mean --AllowedHosts?).")]
    [InlineData("--bogus", "1", "Unknown option '--bogus'. Options are --config, --urls")]
    [InlineData("-urls", "http://127.0.0.1:5291", "Unknown option '-urls' (did you mean --urls?). Options start with two dashes")]
    public async Task A_misspelt_server_option_is_a_usage_error_and_starts_nothing(string option, string value, string told)
    {
        var server = CommandRun.RunAsync([option, value, .. Options]);
        // Bounded only so that the old behaviour (the server starting on its default address) ends the test instead of hanging it.
        var finished = await Task.WhenAny(server, Task.Delay(TimeSpan.FromSeconds(60)));

        Assert.True(finished == server, "the server started despite the misspelt option");
        var run = await server;
        Assert.Equal(TokenProxy.Cli.CommandLine.UsageError, run.Code);
        Assert.Contains(told, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_before_the_command_run_the_command_not_the_server()
    {
        var listing = CommandRun.RunAsync([.. Options, "providers", "list"]);
        // Bounded only so that the old behaviour (the server starting and listening) ends the test instead of hanging it.
        var finished = await Task.WhenAny(listing, Task.Delay(TimeSpan.FromSeconds(60)));

        Assert.True(finished == listing, "the options before the command started the server");
        var run = await listing;
        Assert.True(run.Code == 0, run.Output + run.Error);
        Assert.Contains("acme", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proxy_running_at_another_address_is_named_and_the_file_problems_are_plain()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var elsewhere = await ProxyProcess.StartAsync(new Dictionary<string, string?>(), key);

        var locked = await CommandRun.RunAsync(["connections", "list", "--urls", $"http://127.0.0.1:{ProxyHost.FreePort()}", .. ProxyCommand.Isolated(elsewhere.DataDirectory)]);
        var missing = await CommandRun.RunAsync(["connections", "import", Path.Combine(_directory, "none.json"), .. Options]);
        var unquoted = "true" + Canary.New("unquoted"); // a literal the parser quotes whole when it refuses it
        var notJson = await CommandRun.RunAsync(["connections", "import", "-", .. Options], $"{{\"provider\":\"acme\",\n\"accessToken\": {unquoted}}}");

        Assert.Equal(2, locked.Code);
        Assert.Contains("Another TokenProxy process is already using", locked.Error, StringComparison.Ordinal);
        Assert.Contains("If one runs elsewhere, give its address with --urls.", locked.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.Code);
        Assert.StartsWith("Cannot read the file given to import (there is no such file;", missing.Error, StringComparison.Ordinal);
        Assert.Equal(2, notJson.Code);
        Assert.Matches(@"^Standard input is not JSON \(line 2, byte [0-9]+ of the line\)", notJson.Error);
        Canary.AssertAbsent(unquoted, notJson.Error + notJson.Output, "the command's output");
    }
}
