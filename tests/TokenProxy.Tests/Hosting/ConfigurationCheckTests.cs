using TokenProxy.Hosting;

namespace TokenProxy.Tests.Hosting;

/// <summary>
/// Each folder binds its own part of the <c>TokenProxy</c> section: the check before startup still reads the section
/// whole, naming a key no folder reads and the problems of every folder in one list.
/// </summary>
public sealed class ConfigurationCheckTests
{
    [Fact]
    public void Problems_of_several_folders_are_listed_together()
    {
        var problems = ConfigurationCheck.Problems(Configuration(new()
        {
            ["TokenProxy:PublicBaseUrl"] = "not a url",
            ["TokenProxy:Store:Kind"] = "Oracle",
            ["TokenProxy:Refresh:MaxConcurrentPerEndpoint"] = "0",
            ["TokenProxy:Admin:Token"] = "short",
            ["TokenProxy:Portal:PermitsPerMinute"] = "0",
            ["TokenProxy:AllowedOrigins:0"] = "https://app.example/path",
            ["TokenProxy:Providers:acme:ApiBaseUrl"] = "http://api.acme.example",
        }));

        Assert.Equal(
            ["TokenProxy:PublicBaseUrl", "TokenProxy:Store:Kind", "TokenProxy:Refresh:MaxConcurrentPerEndpoint", "TokenProxy:Admin:Token",
                "TokenProxy:Portal:PermitsPerMinute", "TokenProxy:AllowedOrigins", "TokenProxy:Providers:acme:ApiBaseUrl"],
            problems.Select(p => p[..p.IndexOf(": ", StringComparison.Ordinal)]));
    }

    [Theory]
    [InlineData("TokenProxy:PublicBaseUri", " (did you mean PublicBaseUrl?); the settings of TokenProxy are PublicBaseUrl, DataDirectory, Store, Vault, Refresh, Events, Admin, Portal, Telemetry, AllowedOrigins, Clients, Providers, Webhooks.")]
    [InlineData("TokenProxy:Vault:Keyfile2", " (did you mean KeyFile?); the settings of TokenProxy:Vault are KeySource, KeyFile, KeychainName.")]
    [InlineData("TokenProxy:Store:RefreshLockTimeout", "; the settings of TokenProxy:Store are Kind, ConnectionString, ListenConnectionString, MaxStaleness.")]
    public void A_key_no_folder_reads_is_named_with_the_settings_of_its_section(string key, string settings)
    {
        var problems = ConfigurationCheck.Problems(Configuration(new() { [key] = "00:01:00" }));

        Assert.Equal([$"{key}: not a setting TokenProxy reads here{settings}"], problems);
    }

    [Theory]
    [InlineData("TokenEndpoint", "TokenUrl")]
    [InlineData("authorization_endpoint", null)]
    [InlineData("AuthorizationEndpoint", "AuthorizationUrl")]
    [InlineData("Scopess", "Scopes")]
    [InlineData("scops", "Scopes")]
    [InlineData("UsePcke", "UsePkce")]
    [InlineData("ClientSecert", "ClientSecret")]
    [InlineData("Bogus", null)]
    [InlineData("Secret", null)]
    [InlineData("RefreshTokenLifetimee", "RefreshTokenLifetime")]
    public void A_misspelt_provider_setting_is_told_the_setting_it_is_nearest(string key, string? meant)
    {
        var problems = ConfigurationCheck.Problems(Configuration(new()
        {
            ["TokenProxy:Providers:acme:ApiBaseUrl"] = "https://api.acme.example",
            [$"TokenProxy:Providers:acme:{key}"] = "x",
        }));

        var problem = Assert.Single(problems, p => p.StartsWith($"TokenProxy:Providers:acme:{key}: not a setting", StringComparison.Ordinal));
        if (meant is null)
        {
            Assert.DoesNotContain("did you mean", problem, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"reads here (did you mean {meant}?); the settings of TokenProxy:Providers:acme are ", problem, StringComparison.Ordinal);
        }
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
