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
    [InlineData("TokenProxy:PublicBaseUri", "the settings of TokenProxy are PublicBaseUrl, DataDirectory, Store, Vault, Refresh, Events, Admin, Portal, Telemetry, AllowedOrigins, Clients, Providers, Webhooks.")]
    [InlineData("TokenProxy:Vault:Keyfile2", "the settings of TokenProxy:Vault are KeySource, KeyFile, KeychainName.")]
    [InlineData("TokenProxy:Store:RefreshLockTimeout", "the settings of TokenProxy:Store are Kind, ConnectionString, ListenConnectionString, MaxStaleness.")]
    public void A_key_no_folder_reads_is_named_with_the_settings_of_its_section(string key, string settings)
    {
        var problems = ConfigurationCheck.Problems(Configuration(new() { [key] = "00:01:00" }));

        Assert.Equal([$"{key}: not a setting TokenProxy reads here; {settings}"], problems);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
