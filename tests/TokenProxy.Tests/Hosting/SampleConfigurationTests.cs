using TokenProxy.Hosting;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Webhooks;

namespace TokenProxy.Tests.Hosting;

/// <summary>appsettings.sample.json documents every key: it must stay true to the code, and be safe to copy.</summary>
public sealed class SampleConfigurationTests
{
    public static string SamplePath { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../appsettings.sample.json"));

    [Fact]
    public void Every_key_of_the_sample_binds_and_only_its_placeholders_are_problems()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(SamplePath).Build();

        // ErrorOnUnknownConfiguration: a key in the sample that no option of its section reads fails here.
        foreach (var (section, type) in ConfigurationCheck.Sections.Where(s => s.Section is not (ConfigurationCheck.SectionName or WebhooksOptions.SectionName)))
        {
            configuration.GetSection(section).Get(type, o => o.ErrorOnUnknownConfiguration = true);
        }

        // Webhooks sit under names of the operator's choosing, next to the section's own settings.
        foreach (var webhook in configuration.GetSection(WebhooksOptions.SectionName).GetChildren().Where(c => c.Value is null))
        {
            webhook.Get<WebhookOptions>(o => o.ErrorOnUnknownConfiguration = true);
        }

        configuration.GetSection("TokenProxy:Clients").Get<Dictionary<string, ClientOptions>>(o => o.ErrorOnUnknownConfiguration = true);
        var providers = configuration.GetSection("TokenProxy:Providers").Get<Dictionary<string, ProviderOptions>>(o => o.ErrorOnUnknownConfiguration = true)!;
        var problems = ConfigurationCheck.Problems(configuration);

        Assert.Equal("http://127.0.0.1:5080", configuration["Urls"]);
        Assert.Equal(4, providers.Count);
        Assert.Equal(
            ["TokenProxy:Clients:reports-app:Key", "TokenProxy:Providers:acme:ClientId", "TokenProxy:Providers:github:ClientId",
                "TokenProxy:Providers:github:ClientSecret", "TokenProxy:Providers:work-google:ClientId",
                "TokenProxy:Webhooks:crm:Secret"],
            problems.Select(p => p[..p.IndexOf(": ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
        Assert.All(problems, p => Assert.Contains(": still the placeholder from appsettings.sample.json; put ", p, StringComparison.Ordinal));
    }

    [Fact]
    public void The_sample_with_its_placeholders_filled_in_is_valid()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(SamplePath).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenProxy:Clients:reports-app:Key"] = "0123456789abcdef0123456789abcdef",
            ["TokenProxy:Providers:github:ClientId"] = "Iv1.0123456789",
            ["TokenProxy:Providers:github:ClientSecret"] = "secret",
            ["TokenProxy:Providers:acme:ClientId"] = "acme-client",
            ["TokenProxy:Providers:work-google:ClientId"] = "1234.apps.googleusercontent.com",
            ["TokenProxy:Webhooks:crm:Secret"] = "0123456789abcdef0123456789abcdef",
        }).Build();

        Assert.Empty(ConfigurationCheck.Problems(configuration));
    }
}
