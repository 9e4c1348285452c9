using TokenProxy.Providers;
using TokenProxy.Tests.Hosting;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Providers;

/// <summary>
/// <c>ClientSecrets</c> (newest first) or <c>ClientSecret</c>, never both; no empty or repeated entry. A problem names the
/// provider and the position, never a secret.
/// </summary>
public sealed class ClientSecretsConfigurationTests : IDisposable
{
    private readonly string _directory = ProxyHost.NewDataDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IReadOnlyList<string> Problems(ProviderOptions options) =>
        ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions> { ["acme"] = options }, new PresetLibrary()).Problems;

    private static ProviderOptions Acme(string? secret = null, string[]? secrets = null) => new()
    {
        AuthorizationUrl = "https://auth.acme.example/authorize",
        TokenUrl = "https://auth.acme.example/token",
        ApiBaseUrl = "https://api.acme.example",
        ClientId = "client",
        ClientSecret = secret,
        ClientSecrets = secrets,
    };

    [Fact]
    public void A_list_keeps_its_order_and_the_newest_is_the_secret_in_use()
    {
        var resolved = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions> { ["acme"] = Acme(secrets: ["new", "old"]) }, new PresetLibrary());

        var acme = resolved.Providers["acme"];
        Assert.Empty(resolved.Problems);
        Assert.Equal(["new", "old"], acme.ClientSecrets);
        Assert.Equal("new", acme.ClientSecret);
    }

    [Fact]
    public void ClientSecret_is_the_one_item_form()
    {
        var resolved = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions> { ["acme"] = Acme("only") }, new PresetLibrary());

        Assert.Equal(["only"], resolved.Providers["acme"].ClientSecrets);
    }

    [Theory]
    [InlineData("both", "TokenProxy:Providers:acme: ClientSecret and ClientSecrets are both set")]
    [InlineData("empty", "TokenProxy:Providers:acme:ClientSecrets:1: is empty")]
    [InlineData("blank", "TokenProxy:Providers:acme:ClientSecrets:0: is empty")]
    [InlineData("duplicate", "TokenProxy:Providers:acme:ClientSecrets:2: repeats ClientSecrets:0")]
    public void A_bad_list_is_a_problem_naming_the_provider_and_the_position(string kind, string expected)
    {
        var options = kind switch
        {
            "both" => Acme("CANARYsecretA", ["CANARYsecretB"]),
            "empty" => Acme(secrets: ["CANARYsecretA", ""]),
            "blank" => Acme(secrets: ["  ", "CANARYsecretA"]),
            _ => Acme(secrets: ["CANARYsecretA", "CANARYsecretB", "CANARYsecretA"]),
        };

        var problem = Assert.Single(Problems(options));

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARYsecret", problem, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Startup_lists_every_client_secret_problem_and_exits_2_without_the_secrets()
    {
        var run = await ProxyCommand.RunAsync([
            "--urls=http://127.0.0.1:0", .. ProxyCommand.Isolated(_directory),
            "--TokenProxy:Providers:acme:AuthorizationUrl=https://auth.acme.example/authorize",
            "--TokenProxy:Providers:acme:TokenUrl=https://auth.acme.example/token",
            "--TokenProxy:Providers:acme:ApiBaseUrl=https://api.acme.example",
            "--TokenProxy:Providers:acme:ClientId=client",
            "--TokenProxy:Providers:acme:ClientSecret=CANARYsecretZ",
            "--TokenProxy:Providers:acme:ClientSecrets:0=CANARYsecretA",
            "--TokenProxy:Providers:acme:ClientSecrets:1=CANARYsecretA",
        ]);

        StartupProblemTests.AssertPlainProblems(run,
            "TokenProxy:Providers:acme: ClientSecret and ClientSecrets are both set",
            "TokenProxy:Providers:acme:ClientSecrets:1: repeats ClientSecrets:0");
        Assert.DoesNotContain("CANARYsecret", run.Output + run.Error, StringComparison.Ordinal);
    }
}
