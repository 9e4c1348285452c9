using TokenProxy.Providers;

namespace TokenProxy.Tests.Providers;

/// <summary><c>AllowedHosts</c> entries: a wildcard is one label deep, and a port is allowed only when the entry says so.</summary>
public sealed class AllowedHostTests
{
    [Theory]
    [InlineData("*.zendesk.com", "https://acme.zendesk.com/", true)]
    [InlineData("*.zendesk.com", "https://ACME.Zendesk.com/", true)]
    [InlineData("*.zendesk.com", "https://zendesk.com/", false)]
    [InlineData("*.zendesk.com", "https://a.evil.zendesk.com/", false)]
    [InlineData("*.zendesk.com", "https://acme.zendesk.com.evil.test/", false)]
    [InlineData("*.zendesk.com", "https://acmezendesk.com/", false)]
    [InlineData("*.zendesk.com", "https://acme.zendesk.com:8443/", false)]
    [InlineData("*.zendesk.com", "http://acme.zendesk.com/", true)]
    [InlineData("*.sandbox.my.salesforce.com", "https://x--sbx.sandbox.my.salesforce.com/", true)]
    [InlineData("*.my.salesforce.com", "https://x--sbx.sandbox.my.salesforce.com/", false)]
    [InlineData("api.example.com", "https://api.example.com/", true)]
    [InlineData("api.example.com", "https://x.api.example.com/", false)]
    [InlineData("127.0.0.1:8443", "https://127.0.0.1:8443/", true)]
    [InlineData("127.0.0.1:8443", "https://127.0.0.1/", false)]
    [InlineData("127.0.0.1:*", "http://127.0.0.1:1234/", true)]
    [InlineData("[::1]:*", "http://[::1]:1234/", true)]
    [InlineData("*.xn--bcher-kva.example", "https://shop.bücher.example/", true)]
    public void Entry_matches_exactly_the_hosts_and_ports_it_names(string entry, string url, bool matches)
    {
        var host = AllowedHost.Parse(entry, out var problem);

        Assert.Null(problem);
        Assert.Equal(matches, host!.Matches(new Uri(url)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("*.com")]
    [InlineData("a.*.example.com")]
    [InlineData("example.com:0")]
    [InlineData("example.com:99999")]
    [InlineData("example.com:http")]
    [InlineData("exa mple.com")]
    [InlineData("https://example.com")]
    [InlineData("example.com/path")]
    [InlineData("*.bücher.example")]
    public void Entry_that_is_not_a_host_pattern_is_a_problem(string entry)
    {
        Assert.Null(AllowedHost.Parse(entry, out var problem));
        Assert.NotNull(problem);
    }
}
