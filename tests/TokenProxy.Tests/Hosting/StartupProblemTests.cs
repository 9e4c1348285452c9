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

        AssertPlainProblems(run, "TokenProxy:Refresh:Skwe: not a setting TokenProxy reads here; the settings of TokenProxy:Refresh are Skew,");
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

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] arguments) =>
        ProxyCommand.RunAsync(["--urls=http://127.0.0.1:0", .. ProxyCommand.Isolated(_directory), .. arguments]);

    private static void AssertPlainProblems((int Code, string Output, string Error) run, params string[] problems)
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
