using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Hosting;

/// <summary>What a new user meets first, run as they run it: help, version, the banner, the front page, where configuration comes from.</summary>
public sealed class FirstRunTests : IDisposable
{
    private readonly string _directory = ProxyHost.NewDataDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Help_prints_the_commands_the_main_options_and_where_configuration_is_read_from()
    {
        var run = await ProxyCommand.RunAsync(["--help"]);

        Assert.Equal((0, string.Empty), (run.Code, run.Error));
        foreach (var expected in new[]
        {
            "connections list", "connections import FILE|-", "connections delete ID", "connections refresh ID", "connections revoke ID",
            "providers list", "vault export FILE", "vault import FILE", "vault rotate-key", "--config PATH", "--urls URL",
            "appsettings.json beside the executable", "in the current directory", "environment variables", "command line",
        })
        {
            Assert.Contains(expected, run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Version_prints_the_version_and_exits()
    {
        var run = await ProxyCommand.RunAsync(["--version"]);

        Assert.Equal(0, run.Code);
        Assert.Matches(@"^TokenProxy \d+\.\d+\.\d+", run.Output);
    }

    [Fact]
    public async Task An_unknown_command_exits_2_with_the_usage_and_no_stack_trace()
    {
        var run = await ProxyCommand.RunAsync(["conections", "list"]);

        Assert.Equal(2, run.Code);
        Assert.StartsWith("Unknown command 'conections'.", run.Error, StringComparison.Ordinal);
        Assert.Contains("TokenProxy connections list", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_banner_says_where_the_admin_pages_the_store_and_the_key_source_are_and_never_the_key()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var proxy = await ProxyProcess.StartAsync(new Dictionary<string, string?>(), key);

        var banner = await proxy.WaitForLineAsync("Vault key:");

        var output = proxy.Output;
        Assert.Contains($"Admin:     {proxy.Address.AbsoluteUri.TrimEnd('/')}/admin/connections", output, StringComparison.Ordinal);
        Assert.Contains($"Store:     SQLite database {Path.Combine(proxy.DataDirectory, "tokenproxy.db")}", output, StringComparison.Ordinal);
        Assert.Contains("Vault key: TOKENPROXY_VAULT_KEY (environment)", banner, StringComparison.Ordinal);
        Assert.DoesNotContain(key, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_formatter_options_are_read_without_naming_a_formatter_so_a_timestamp_can_be_asked_for()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var proxy = await ProxyProcess.StartAsync(
            new Dictionary<string, string?> { ["Logging:Console:FormatterOptions:TimestampFormat"] = "'at' HH:mm:ss.fff " }, key);

        var ready = await proxy.WaitForLineAsync("Vault ready:");

        // One line (SingleLine, as ProxyProcess asks) with the timestamp first: .NET reads neither option unless a formatter is named.
        Assert.Matches(@"^at \d{2}:\d{2}:\d{2}\.\d{3} info: TokenProxy\.Vault\.VaultInitializer\[1200\] Vault ready:", ready);
    }

    [Fact]
    public async Task The_banner_names_a_client_keys_provider_that_no_provider_is_called()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var proxy = await ProxyProcess.StartAsync(
            new Dictionary<string, string?>
            {
                ["TokenProxy:PublicBaseUrl"] = "https://proxy.example.com",
                ["TokenProxy:Clients:app:Key"] = new string('k', 40),
                ["TokenProxy:Clients:app:Providers:0"] = "github",
                ["TokenProxy:Clients:app:Providers:1"] = "githb",
                ["TokenProxy:Clients:app:Providers:2"] = "in-house",
                ["TokenProxy:Clients:app:Providers:3"] = "hub\u202Egit",
            },
            key);

        await proxy.WaitForLineAsync("Stop with Ctrl+C");

        Assert.Contains(
            "Note:      client keys are set but TokenProxy:Admin:Token is not: any program on this machine can use the admin API (and change where a provider's requests go) without a key; set an admin token to make the keys a boundary.",
            proxy.Output, StringComparison.Ordinal);
        Assert.Contains("Note:      TokenProxy:Clients:app:Providers names 'githb', which no provider is called (did you mean github?); that key cannot use it.", proxy.Output, StringComparison.Ordinal);
        Assert.Contains("Note:      TokenProxy:Clients:app:Providers names 'in-house', which no provider is called; that key cannot use it.", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("'github'", proxy.Output, StringComparison.Ordinal);
        // A text-direction override would make the line read otherwise: shown escaped.
        Assert.Contains("names 'hub\\u202egit', which no provider is called", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202E", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_open_admin_note_is_given_only_for_client_keys_without_an_admin_token()
    {
        var keys = new TokenProxy.Proxy.ClientAccessOptions();
        keys.Clients["app"] = new TokenProxy.Proxy.ClientOptions { Key = new string('k', 40) };

        Assert.NotEmpty(TokenProxy.Hosting.StartupBanner.OpenAdminNote(keys, new TokenProxy.Admin.AdminOptions()));
        Assert.Empty(TokenProxy.Hosting.StartupBanner.OpenAdminNote(keys, new TokenProxy.Admin.AdminOptions { Token = new string('a', 32) }));
        Assert.Empty(TokenProxy.Hosting.StartupBanner.OpenAdminNote(new TokenProxy.Proxy.ClientAccessOptions(), new TokenProxy.Admin.AdminOptions()));
    }

    [Fact]
    public async Task The_banner_says_when_links_would_use_the_default_public_address_and_not_where_the_proxy_listens()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var moved = await ProxyProcess.StartAsync(new Dictionary<string, string?>(), key);
        await using var set = await ProxyProcess.StartAsync(new Dictionary<string, string?> { ["TokenProxy:PublicBaseUrl"] = "https://proxy.example.com" }, key);

        await moved.WaitForLineAsync("Stop with Ctrl+C");
        await set.WaitForLineAsync("Stop with Ctrl+C");

        var here = moved.Address.AbsoluteUri.TrimEnd('/');
        Assert.Contains(
            $"Note:      redirect URIs and connect links use http://127.0.0.1:5080 (the default TokenProxy:PublicBaseUrl), not this address; set TokenProxy:PublicBaseUrl={here} if browsers reach the proxy here.",
            moved.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Note:", set.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_front_page_redirects_to_the_admin_pages()
    {
        await using var proxy = await ProxyHost.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = proxy.Address };

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin/connections", response.Headers.Location?.OriginalString);
    }

    /// <summary>Each layer sets an invalid PublicBaseUrl of its own name, so the message shows which one won.</summary>
    [Fact]
    public async Task Configuration_precedence_is_current_directory_then_config_file_then_environment_then_command_line()
    {
        var directory = Path.Combine(_directory, "work");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "appsettings.json"), """{ "TokenProxy": { "PublicBaseUrl": "from-current-directory" } }""");
        await File.WriteAllTextAsync(Path.Combine(_directory, "extra.json"), """{ "TokenProxy": { "PublicBaseUrl": "from-config-file" } }""");
        string[] isolated = [.. ProxyCommand.Isolated(_directory)];
        var environment = new Dictionary<string, string> { ["TokenProxy__PublicBaseUrl"] = "from-environment" };

        var local = await ProxyCommand.RunAsync(isolated, directory);
        var config = await ProxyCommand.RunAsync([.. isolated, "--config", Path.Combine(_directory, "extra.json")], directory);
        var variable = await ProxyCommand.RunAsync([.. isolated, "--config", Path.Combine(_directory, "extra.json")], directory, environment);
        var line = await ProxyCommand.RunAsync([.. isolated, "--config", Path.Combine(_directory, "extra.json"), "--TokenProxy:PublicBaseUrl=from-command-line"], directory, environment);
        var missing = await ProxyCommand.RunAsync([.. isolated, "--config", "nowhere.json"], directory);

        Assert.Equal(
            [(2, "from-current-directory"), (2, "from-config-file"), (2, "from-environment"), (2, "from-command-line")],
            new[] { local, config, variable, line }.Select(r => (r.Code, Winner(r.Error))));
        Assert.Equal(2, missing.Code);
        Assert.Contains($"--config: {Path.Combine(directory, "nowhere.json")} does not exist.", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aspnetcore_urls_from_the_environment_wins_over_the_urls_of_a_config_file()
    {
        // The README's order puts environment variables, ASPNETCORE_URLS among them, above the --config file.
        var file = Path.Combine(_directory, "urls.json");
        await File.WriteAllTextAsync(file, """{ "Urls": "from-config-file" }""");
        var environment = new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "from-environment" };

        var result = await ProxyCommand.RunAsync([.. ProxyCommand.Isolated(_directory), "--config", file], environment: environment);

        Assert.Equal(2, result.Code);
        Assert.Contains("Urls: 'from-environment' is not a valid listen address", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("from-config-file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_directory_or_repeated_config_path_is_a_configuration_problem_not_a_crash()
    {
        // `--config "$FILE"` with the variable unset gives an empty value.
        var empty = await ProxyCommand.RunAsync([.. ProxyCommand.Isolated(_directory), "--config", ""]);
        var emptyAssigned = await ProxyCommand.RunAsync(["connections", "list", .. ProxyCommand.Isolated(_directory), "--config="]);
        var directory = await ProxyCommand.RunAsync([.. ProxyCommand.Isolated(_directory), "--config", _directory]);
        var file = Path.Combine(_directory, "one.json");
        await File.WriteAllTextAsync(file, "{}");
        var twice = await ProxyCommand.RunAsync([.. ProxyCommand.Isolated(_directory), "--config", file, $"--config={file}"]);
        // Configuration keys know no case, so neither does the option: --Config names the file too.
        var capitalized = await ProxyCommand.RunAsync([.. ProxyCommand.Isolated(_directory), "--Config", Path.Combine(_directory, "nowhere.json")]);

        Assert.Equal((2, 2, 2, 2, 2), (empty.Code, emptyAssigned.Code, directory.Code, twice.Code, capitalized.Code));
        Assert.Contains("nowhere.json does not exist", capitalized.Error, StringComparison.Ordinal);
        Assert.Contains("--config is given more than once", twice.Error, StringComparison.Ordinal);
        Assert.Contains("--config: the file name is empty", empty.Error, StringComparison.Ordinal);
        Assert.Contains("--config: the file name is empty", emptyAssigned.Error, StringComparison.Ordinal);
        Assert.Contains($"--config: {_directory} is a directory", directory.Error, StringComparison.Ordinal);
        Assert.All(new[] { empty, emptyAssigned, directory }, r => Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_sample_copied_as_is_refuses_to_start_and_says_what_goes_in_each_placeholder()
    {
        var directory = Path.Combine(_directory, "work");
        Directory.CreateDirectory(directory);
        File.Copy(SampleConfigurationTests.SamplePath, Path.Combine(directory, "appsettings.json"));

        var run = await ProxyCommand.RunAsync(["--urls=http://127.0.0.1:0", .. ProxyCommand.Isolated(_directory)], directory);

        Assert.Equal(2, run.Code);
        Assert.Contains("TokenProxy:Clients:reports-app:Key: still the placeholder from appsettings.sample.json; put 32 or more random characters", run.Error, StringComparison.Ordinal);
        Assert.Contains("TokenProxy:Providers:github:ClientId: still the placeholder", run.Error, StringComparison.Ordinal);
    }

    private static string? Winner(string error) =>
        System.Text.RegularExpressions.Regex.Match(error, "TokenProxy:PublicBaseUrl: '([^']*)'") is { Success: true } match ? match.Groups[1].Value : error;
}
