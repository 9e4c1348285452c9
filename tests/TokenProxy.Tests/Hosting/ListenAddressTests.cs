using Microsoft.Extensions.Options;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Hosting;

/// <summary>Threat: the proxy is reachable from the network with nothing protecting it (docs/architecture.md §6: C17).</summary>
public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://*:0")]
    [InlineData("http://[::]:0")]
    public async Task Non_loopback_bind_without_admin_token_and_client_key_refuses_to_start(string url)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ProxyHost.StartAsync(new Dictionary<string, string?> { ["Urls"] = url }));

        var failure = Assert.Single(error.Failures);
        Assert.Contains("TokenProxy:Admin:Token", failure, StringComparison.Ordinal);
        Assert.Contains("TokenProxy:Clients:{name}:Key", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_loopback_bind_with_admin_token_and_a_client_key_starts()
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["Urls"] = "http://0.0.0.0:0",
            ["TokenProxy:Admin:Token"] = "admin-token-0123456789",
            ["TokenProxy:Clients:app:Key"] = "client-key-0123456789abcdef0123456789",
        });

        using var client = new HttpClient();
        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.Address.Port}/healthz");
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Default_bind_is_loopback()
    {
        await using var proxy = await ProxyHost.StartAsync();

        Assert.True(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(proxy.Address.Host)));
    }
}
