using TokenProxy.Providers;

namespace TokenProxy.Tests.Providers;

/// <summary>
/// A URL with placeholders resolves, per connection, only to the provider's own hosts, ports and path: hostile values
/// are refused before anything could be sent (docs/architecture.md §6, A1, A4). The providers here declare a pattern
/// that accepts anything, so that what refuses is the universal value rule and the check of the resolved URL.
/// </summary>
public sealed class UrlTemplateTests
{
    private const string AnyValue = @"^(?s:.*)\z";

    private static readonly ProviderDefinition Subdomain = Provider(new()
    {
        ApiBaseUrl = "https://{subdomain}.zendesk.example/api/v2",
        AllowedHosts = ["*.zendesk.example"],
        Parameters = new() { ["subdomain"] = new() { Pattern = AnyValue, Label = "Zendesk subdomain" } },
    });

    private static readonly ProviderDefinition Site = Provider(new()
    {
        ApiBaseUrl = "https://api.atlassian.example/ex/jira/{cloudId}",
        Parameters = new() { ["cloudId"] = new() { Pattern = AnyValue, Label = "Atlassian site" } },
    });

    private static readonly ProviderDefinition Instance = Provider(new()
    {
        ApiBaseUrl = "{instance_url}/services/data",
        AllowedHosts = ["*.my.salesforce.example", "*.sandbox.my.salesforce.example"],
        Parameters = new() { ["instance_url"] = new() { FromTokenResponse = true, Label = "Salesforce instance" } },
    });

    public static TheoryData<string, string> HostileSubdomains() => new()
    {
        { "evil.test#", "may hold only ASCII letters" },
        { "a.evil.test", "outside the provider's AllowedHosts" },
        { "evil.test", "outside the provider's AllowedHosts" },
        { "x/../..", "may hold only ASCII letters" },
        { "%2f", "may hold only ASCII letters" },
        { "@evil.test", "may hold only ASCII letters" },
        { "evil.test:443", "may hold only ASCII letters" },
        { "evil\u3002test", "may hold only ASCII letters" },
        { "evil\uFF0Etest", "may hold only ASCII letters" },
        { "acme\r\nHost: evil.test", "may hold only ASCII letters" },
        { "acme\\evil.test", "may hold only ASCII letters" },
        { "acme?x=", "may hold only ASCII letters" },
        { "", "is empty" },
        { new string('a', 10 * 1024), "is longer than 255 characters" },
    };

    [Theory]
    [MemberData(nameof(HostileSubdomains))]
    public void A_hostile_subdomain_is_refused_naming_the_parameter_never_the_value(string value, string problem)
    {
        var resolved = Subdomain.ResolveApiBase(new Dictionary<string, string> { ["subdomain"] = value });

        Assert.Null(resolved.Url);
        Assert.Equal("subdomain", resolved.Parameter!.Name);
        Assert.Contains(problem, resolved.Problem, StringComparison.Ordinal);
        Assert.StartsWith("Zendesk subdomain (subdomain) ", resolved.Describe(), StringComparison.Ordinal);
        if (value.Length > 3)
        {
            Assert.DoesNotContain(value, resolved.Describe(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("x/../..")]
    [InlineData("%2e%2e")]
    [InlineData("a%2Fb")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    public void A_path_value_cannot_leave_the_literal_path_prefix(string value)
    {
        var resolved = Site.ResolveApiBase(new Dictionary<string, string> { ["cloudId"] = value });

        Assert.Null(resolved.Url);
        Assert.Equal("cloudId", resolved.Parameter!.Name);
    }

    public static TheoryData<string> HostileInstanceUrls() =>
    [
        "https://evil.test",
        "https://a.my.salesforce.example@evil.test",
        "http://acme.my.salesforce.example",
        "https://x.my.salesforce.example.evil.test",
        "https://a.b.my.salesforce.example",
        "https://acme.my.salesforce.example:8443",
        "https://acme.my.salesforce.example/other",
        "https://acme.my.salesforce.example?x=1",
        "https://acme.my.salesforce.example#x",
        "https://acme.my.salesforce.example\\@evil.test",
        "https://acme.my.salesforce.example%2f@evil.test",
        "https://acme\u3002my.salesforce.example",
        "https://acme.my.salesforce.example\r\n",
        "acme.my.salesforce.example",
        "//evil.test",
        "https://" + new string('a', 3000) + ".my.salesforce.example",
    ];

    [Theory]
    [MemberData(nameof(HostileInstanceUrls))]
    public void A_hostile_instance_url_is_refused(string value)
    {
        var resolved = Instance.ResolveApiBase(new Dictionary<string, string> { ["instance_url"] = value });

        Assert.Null(resolved.Url);
        Assert.Equal("instance_url", resolved.Parameter!.Name);
    }

    [Theory]
    [InlineData("https://acme.my.salesforce.example", "https://acme.my.salesforce.example/services/data")]
    [InlineData("https://acme.my.salesforce.example/", "https://acme.my.salesforce.example/services/data")]
    [InlineData("https://acme--sbx.sandbox.my.salesforce.example", "https://acme--sbx.sandbox.my.salesforce.example/services/data")]
    public void An_instance_url_inside_the_allowed_hosts_is_the_connections_base(string value, string expected)
    {
        var resolved = Instance.ResolveApiBase(new Dictionary<string, string> { ["instance_url"] = value });

        Assert.Equal(expected, resolved.Url?.AbsoluteUri);
    }

    [Fact]
    public void Valid_values_resolve_to_the_connections_own_base()
    {
        Assert.Equal(
            "https://acme.zendesk.example/api/v2",
            Subdomain.ResolveApiBase(new Dictionary<string, string> { ["subdomain"] = "acme" }).Url?.AbsoluteUri);
        Assert.Equal(
            "https://api.atlassian.example/ex/jira/1324a887-45db-1bf4-1e99-ef0ff456d421",
            Site.ResolveApiBase(new Dictionary<string, string> { ["cloudId"] = "1324a887-45db-1bf4-1e99-ef0ff456d421" }).Url?.AbsoluteUri);
    }

    [Fact]
    public void A_missing_value_is_refused_naming_the_parameter()
    {
        var resolved = Subdomain.ResolveApiBase(new Dictionary<string, string>());

        Assert.Equal("Zendesk subdomain (subdomain) is missing", resolved.Describe());
    }

    [Fact]
    public void A_value_must_also_match_the_providers_own_pattern()
    {
        var strict = Provider(new()
        {
            ApiBaseUrl = "https://{subdomain}.zendesk.example",
            AllowedHosts = ["*.zendesk.example"],
            Parameters = new() { ["subdomain"] = new() { Pattern = @"^[a-z0-9][a-z0-9-]{0,62}\z" } },
        });

        Assert.NotNull(strict.ResolveApiBase(new Dictionary<string, string> { ["subdomain"] = "acme-1" }).Url);
        Assert.Contains("is not in the expected form", strict.ResolveApiBase(new Dictionary<string, string> { ["subdomain"] = "Acme" }).Problem, StringComparison.Ordinal);
        Assert.Contains("is not in the expected form", strict.ResolveApiBase(new Dictionary<string, string> { ["subdomain"] = "acme.evil" }).Problem, StringComparison.Ordinal);
    }

    internal static ProviderDefinition Provider(ProviderOptions options)
    {
        var resolution = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions> { ["p"] = options }, new PresetLibrary());
        Assert.Empty(resolution.Problems);
        return resolution.Providers["p"];
    }
}
