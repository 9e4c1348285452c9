using TokenProxy.Hosting;

namespace TokenProxy.Tests.Webhooks;

/// <summary>
/// <c>TokenProxy:Webhooks</c> is checked at startup with everything else: every problem of every webhook listed at once,
/// a secret never repeated, and an address that can be judged without resolving a name refused there.
/// </summary>
public sealed class WebhooksOptionsTests
{
    private static IReadOnlyList<string> Problems(Dictionary<string, string?> settings) =>
        ConfigurationCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Fact]
    public void Every_problem_of_every_webhook_is_listed_at_once_without_repeating_a_secret()
    {
        var problems = Problems(new()
        {
            ["TokenProxy:Webhooks:private:Url"] = "http://10.0.0.1/hook",
            ["TokenProxy:Webhooks:private:Secret"] = "short-secret",
            ["TokenProxy:Webhooks:private:Events:0"] = "connection.created",
            ["TokenProxy:Webhooks:plain:Url"] = "http://hooks.example.com/hook",
            ["TokenProxy:Webhooks:plain:Events:0"] = "connection.creatd",
            ["TokenProxy:Webhooks:metadata:Url"] = "https://169.254.169.254/latest",
            ["TokenProxy:Webhooks:metadata:Secret"] = "0123456789abcdef0123",
            ["TokenProxy:Webhooks:metadata:Events:0"] = "connection.error",
            ["TokenProxy:Webhooks:metadata:Sekret"] = "typo",
            ["TokenProxy:Webhooks:AllowPrivateNetwork"] = "true",
        });

        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Webhooks:private:Url: a private, link-local or reserved address", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Webhooks:private:Secret: required: at least 16 characters", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Webhooks:plain:Url: https, or http only to a loopback address", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Webhooks:plain:Secret: required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Webhooks:plain:Events: unknown event type(s) 'connection.creatd'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Webhooks:metadata:Url: a private, link-local or reserved address", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Webhooks:metadata:Sekret: not a setting", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith(
            "TokenProxy:Webhooks:AllowPrivateNetwork: not a setting TokenProxy reads here (did you mean AllowPrivateNetworks?); the settings of TokenProxy:Webhooks are AllowPrivateNetworks, and any other key",
            StringComparison.Ordinal));
        Assert.Equal(8, problems.Count);
        Assert.DoesNotContain(problems, p => p.Contains("short-secret", StringComparison.Ordinal) || p.Contains("0123456789abcdef0123", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000/hook", false)]
    [InlineData("http://localhost:9000/hook", false)]
    [InlineData("http://[::1]:9000/hook", false)]
    [InlineData("https://hooks.example.com/hook", false)]
    [InlineData("http://10.0.0.1/hook", true)]
    [InlineData("https://192.168.1.20/hook", true)]
    public void Loopback_and_https_are_allowed_and_private_addresses_only_when_allowed(string url, bool needsPrivate)
    {
        Dictionary<string, string?> Settings(bool allowPrivate) => new()
        {
            ["TokenProxy:Webhooks:AllowPrivateNetworks"] = allowPrivate ? "true" : "false",
            ["TokenProxy:Webhooks:hook:Url"] = url,
            ["TokenProxy:Webhooks:hook:Secret"] = "0123456789abcdef0123",
            ["TokenProxy:Webhooks:hook:Events:0"] = "connection.created",
        };

        Assert.Empty(Problems(Settings(allowPrivate: true)));
        Assert.Equal(needsPrivate ? 1 : 0, Problems(Settings(allowPrivate: false)).Count);
    }
}
