using System.Net;
using System.Net.Sockets;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Hosting;

/// <summary>
/// Every problem a person can fix before the proxy starts is one plain list on standard error and exit code 2: the
/// executable is run as a user runs it, and nothing it prints is a stack trace.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StartupProblemTests : IDisposable
{
    private const string Heading = "TokenProxy cannot start; fix the configuration:";

    private readonly string _directory = ProxyHost.NewDataDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Validation_failures_are_all_listed_with_exit_code_2_and_no_secret_value()
    {
        var adminToken = Canary.New("admin")[..12];
        var clientKey = Canary.New("key")[..20];

        var run = await RunAsync(
            $"--TokenProxy:Admin:Token={adminToken}",
            $"--TokenProxy:Clients:app:Key={clientKey}",
            "--TokenProxy:Providers:acme:ApiBaseUrl=http://api.acme.example",
            "--TokenProxy:Refresh:Skew=02:00:00");

        AssertPlainProblems(run,
            "TokenProxy:Admin:Token: must be at least 16 characters",
            "TokenProxy:Clients:app:Key: must be at least 32 characters",
            "TokenProxy:Providers:acme:ApiBaseUrl: 'http://api.acme.example' must use https",
            "TokenProxy:Refresh:Skew: 02:00:00 must be between 00:00:00 and 01:00:00");
        Canary.AssertAbsent(adminToken, run.Output + run.Error, "startup problems");
        Canary.AssertAbsent(clientKey, run.Output + run.Error, "startup problems");
    }

    [Fact]
    public async Task The_names_of_the_connect_links_portal_and_admin_are_refused_for_providers_with_every_other_problem()
    {
        var run = await RunAsync(
            "--TokenProxy:Providers:connect:ApiBaseUrl=https://api.connect.example",
            "--TokenProxy:Providers:portal:ApiBaseUrl=https://api.portal.example",
            "--TokenProxy:Providers:admin:ApiBaseUrl=https://api.admin.example",
            "--TokenProxy:Clients:app:Key=0123456789abcdef0123456789abcdef",
            "--TokenProxy:Clients:app:Workspace=not a workspace");

        AssertPlainProblems(run,
            "TokenProxy:Providers:connect: 'connect' cannot be a provider name",
            "TokenProxy:Providers:portal: 'portal' cannot be a provider name",
            "TokenProxy:Providers:admin: 'admin' cannot be a provider name",
            "TokenProxy:Clients:app:Workspace: 'not a workspace' is not a workspace id.");
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_named_with_what_is_allowed()
    {
        var run = await RunAsync("--TokenProxy:Refresh:Skew=banana", "--TokenProxy:Refresh:Background=sometimes");

        AssertPlainProblems(run,
            "TokenProxy:Refresh:Skew: 'banana' is not a duration as [d.]hh:mm:ss, for example 00:01:00.",
            "TokenProxy:Refresh:Background: 'sometimes' is not true or false.");
    }

    [Fact]
    public async Task A_wrong_type_inside_a_provider_entry_is_reported_instead_of_dropping_the_provider()
    {
        var run = await RunAsync("--TokenProxy:Providers:acme:ApiBaseUrl=https://api.acme.example", "--TokenProxy:Providers:acme:UsePkce=nope");

        AssertPlainProblems(run, "TokenProxy:Providers:acme:UsePkce: 'nope' is not true or false.");
    }

    [Fact]
    public async Task A_misspelt_key_is_reported_with_the_keys_that_exist_there()
    {
        var run = await RunAsync("--TokenProxy:Refresh:Skwe=00:02:00");

        AssertPlainProblems(run, "TokenProxy:Refresh:Skwe: not a setting TokenProxy reads here (did you mean Skew?); the settings of TokenProxy:Refresh are Skew,");
    }

    [Fact]
    public async Task An_address_in_use_names_the_address_and_how_to_choose_another()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)occupant.LocalEndpoint).Port}";

        var run = await RunAsync($"--urls={address}");

        AssertPlainProblems(run, $"Urls: {address} is already in use by another program", "--urls");
    }

    [Fact]
    public async Task A_vault_key_problem_is_the_plain_message_without_the_hosting_trace()
    {
        var keyFile = ProxyHost.KeyFileFor(_directory);
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        await File.WriteAllTextAsync(keyFile, "not a key\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var run = await RunAsync();

        AssertPlainProblems(run, $"The vault key in {keyFile} is not usable");
        Assert.DoesNotContain("Hosting failed to start", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_another_process_holds_is_the_plain_message()
    {
        await using var first = await ProxyHost.StartAsync(dataDirectory: _directory);

        var run = await RunAsync();

        AssertPlainProblems(run, "Another TokenProxy process is already using");
    }

    [Fact]
    public async Task A_PostgreSQL_server_that_cannot_be_reached_is_named_without_its_password()
    {
        var password = Canary.New("password");
        var port = ProxyHost.FreePort();

        var run = await RunAsync(
            "--TokenProxy:Store:Kind=Postgres",
            $"--TokenProxy:Store:ConnectionString=Host=127.0.0.1;Port={port};Username=x;Password={password};Database=d;Timeout=5");

        AssertPlainProblems(run, $"PostgreSQL database d on 127.0.0.1:{port} cannot be opened: the server cannot be reached", "Connection refused");
        Canary.AssertAbsent(password, run.Output + run.Error, "startup problems");
    }

    [Fact]
    public async Task A_data_directory_that_cannot_be_created_is_named_with_what_to_do()
    {
        var file = Path.Combine(_directory, "a-file");
        await File.WriteAllTextAsync(file, string.Empty);

        var run = await RunAsync($"--TokenProxy:DataDirectory={file}/data");

        AssertPlainProblems(run, $"SQLite database {file}/data/tokenproxy.db cannot be opened: its directory cannot be created or written", "TokenProxy:DataDirectory");
    }

    [Theory]
    [InlineData("http://127.0.0.1:99999")]
    [InlineData("notaurl")]
    public async Task An_invalid_listen_address_is_a_problem_for_the_server_and_the_commands(string address)
    {
        var server = await RunAsync($"--urls={address}");
        var command = await ProxyCommand.RunAsync(["connections", "list", .. ProxyCommand.Isolated(_directory), "--urls", address]);

        foreach (var run in new[] { server, command })
        {
            AssertPlainProblems(run, $"Urls: '{address}' is not a valid listen address (http:// or https://, a host, and a port 1–65535");
            Assert.DoesNotContain("can be reached from other machines", run.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task One_value_where_a_list_a_dictionary_or_a_section_belongs_is_reported_instead_of_ignored()
    {
        var config = Path.Combine(_directory, "config.json");
        await File.WriteAllTextAsync(config, """
            {
              "TokenProxy": {
                "Providers": {
                  "acme": {
                    "ApiBaseUrl": "https://api.acme.example",
                    "Scopes": "openid api:read",
                    "Identity": "https://api.acme.example/me",
                    "AuthorizationParameters": "prompt=consent"
                  }
                },
                "AllowedOrigins": "https://app.example"
              }
            }
            """);

        var run = await RunAsync("--config", config, "--TokenProxy:Providers:echo:ApiBaseUrl=https://api.echo.example", "--TokenProxy:Providers:echo:Scopes=read");

        AssertPlainProblems(run,
            "TokenProxy:Providers:acme:Scopes: a single value where a list belongs; write Scopes:0, Scopes:1 … or a JSON array.",
            "TokenProxy:Providers:acme:Identity: a single value where a section belongs; write its settings (Url,",
            "TokenProxy:Providers:acme:AuthorizationParameters: a single value where a dictionary belongs;",
            "TokenProxy:AllowedOrigins: a single value where a list belongs;",
            "TokenProxy:Providers:echo:Scopes: a single value where a list belongs;");
    }

    [Fact]
    public async Task A_list_where_a_dictionary_belongs_and_a_section_where_a_list_belongs_are_reported_instead_of_bound()
    {
        // Bound as given, the array became a header named "0" on every request, the object the scopes' values.
        var config = Path.Combine(_directory, "config.json");
        await File.WriteAllTextAsync(config, """
            {
              "TokenProxy": {
                "Providers": {
                  "acme": {
                    "ApiBaseUrl": "https://api.acme.example",
                    "Auth": "ApiKey",
                    "Headers": [ "X-A: 1" ],
                    "Scopes": { "read": "api:read" }
                  }
                }
              }
            }
            """);

        var run = await RunAsync("--config", config);

        AssertPlainProblems(run,
            "TokenProxy:Providers:acme:Headers: a list where a dictionary belongs; write Headers:NAME=VALUE for each entry, or a JSON object.",
            "TokenProxy:Providers:acme:Scopes: a section where a list belongs; write Scopes:0, Scopes:1 … or a JSON array.");
    }

    [Fact]
    public async Task A_file_that_is_not_json_is_named_with_where_it_breaks_and_nothing_of_its_text()
    {
        var secret = "true" + Canary.New("secret"); // a literal the JSON parser quotes whole when it refuses it
        var config = Path.Combine(_directory, "config.json");
        await File.WriteAllTextAsync(config, $"{{\n  \"TokenProxy\": {{\n    \"Admin\": {{ \"Token\": {secret} }}\n  }}\n}}\n");

        var run = await RunAsync("--config", config);

        AssertPlainProblems(run, $"Failed to load configuration from file '{config}'.");
        Assert.Matches(@"It breaks on line 3, at byte [0-9]+ of the line\.", run.Error);
        Canary.AssertAbsent(secret, run.Output + run.Error, "the startup problems");
    }

    [Fact]
    public async Task A_bare_number_for_a_duration_is_reported_instead_of_read_as_days()
    {
        var config = Path.Combine(_directory, "config.json");
        await File.WriteAllTextAsync(config, """{ "TokenProxy": { "Refresh": { "Timeout": 5 } } }""");

        var run = await RunAsync("--config", config, "--TokenProxy:Refresh:Skew=30", "--TokenProxy:Providers:acme:UpstreamTimeout=0");

        AssertPlainProblems(run,
            "TokenProxy:Refresh:Timeout: '5' would mean 5 days; write a duration as [d.]hh:mm:ss, for example 00:01:00, or 00:00:05 for 5 seconds.",
            "TokenProxy:Refresh:Skew: '30' would mean 30 days; write a duration as [d.]hh:mm:ss, for example 00:01:00, or 00:00:30 for 30 seconds.");
        // Zero days is zero seconds: not ambiguous, so only its range is told (not a suggestion of 00:00:00 the range refuses).
        Assert.DoesNotContain("UpstreamTimeout: '0' would mean", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_option_without_a_value_is_a_problem_instead_of_taking_the_next_option()
    {
        var config = Path.Combine(_directory, "config.json");
        await File.WriteAllTextAsync(config, "{}");

        var server = await RunAsync("--bogus", "--config", config);
        var trailing = await RunAsync("--TokenProxy:Refresh:Skew");
        var command = await ProxyCommand.RunAsync(["connections", "list", "--bogus", "--config", config, "--urls", "http://127.0.0.1:1"]);

        AssertPlainProblems(server, "The command line: --bogus has no value: it took '--config'; write --bogus=VALUE or --bogus VALUE");
        AssertPlainProblems(trailing, "The command line: --TokenProxy:Refresh:Skew has no value; write --TokenProxy:Refresh:Skew=VALUE");
        AssertPlainProblems(command, "The command line: --bogus has no value: it took '--config'");
        Assert.DoesNotContain("127.0.0.1:5080", command.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_list_where_the_admin_token_belongs_is_reported_instead_of_crashing()
    {
        var config = Path.Combine(_directory, "config.json");
        await File.WriteAllTextAsync(config, """{ "TokenProxy": { "Admin": { "Token": ["an-admin-token-of-enough-length"] } } }""");

        var run = await RunAsync("--config", config);

        AssertPlainProblems(run, "TokenProxy:Admin:Token: one value belongs here");
        Assert.DoesNotContain("an-admin-token-of-enough-length", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_duration_number_or_switch_is_reported_instead_of_crashing()
    {
        // TokenProxy__Refresh__Skew= in a shell or a compose file sets the key to the empty string.
        var run = await ProxyCommand.RunAsync(
            ["--urls=http://127.0.0.1:0", .. ProxyCommand.Isolated(_directory)],
            environment: new Dictionary<string, string>
            {
                ["TokenProxy__Refresh__Skew"] = "",
                ["TokenProxy__Refresh__MaxConcurrentPerEndpoint"] = "",
                ["TokenProxy__Refresh__Background"] = "",
                ["TokenProxy__Store__MaxStaleness"] = "",
            });

        AssertPlainProblems(run,
            "TokenProxy:Refresh:Skew:",
            "TokenProxy:Refresh:MaxConcurrentPerEndpoint:",
            "TokenProxy:Refresh:Background:",
            "TokenProxy:Store:MaxStaleness:");
    }

    [Fact]
    public async Task A_log_level_that_is_not_one_is_reported_with_the_levels_instead_of_crashing()
    {
        var run = await RunAsync("--Logging:LogLevel:Default=Banana", "--Logging:Console:LogLevel:Yarp=Loud");

        AssertPlainProblems(run,
            "Logging:LogLevel:Default: 'Banana' is not a log level; write one of Trace, Debug, Information, Warning, Error, Critical, None.",
            "Logging:Console:LogLevel:Yarp: 'Loud' is not a log level");
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] arguments) =>
        ProxyCommand.RunAsync(["--urls=http://127.0.0.1:0", .. ProxyCommand.Isolated(_directory), .. arguments]);

    internal static void AssertPlainProblems((int Code, string Output, string Error) run, params string[] problems)
    {
        Assert.True(run.Code == 2, $"exit code {run.Code}\n{run.Output}\n{run.Error}");
        Assert.StartsWith(Heading, run.Error, StringComparison.Ordinal);
        foreach (var problem in problems)
        {
            Assert.Contains(problem, run.Error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", run.Output + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Output + run.Error, StringComparison.Ordinal);
    }
}
