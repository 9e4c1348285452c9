using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>Threat: a web page in the person's browser drives the proxy to use their tokens (docs/architecture.md §6: C14, C15).</summary>
public sealed class CrossSiteRequestTests : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ProxyScenario.StartAsync((settings, _) => settings["TokenProxy:AllowedOrigins:0"] = "http://localhost:3000");
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
    }

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    [Theory]
    [InlineData("POST", "Origin: https://evil.test", "origin_forbidden")]
    [InlineData("GET", "Origin: http://localhost:8080", "origin_forbidden")]
    [InlineData("GET", "Origin: null", "origin_forbidden")]
    [InlineData("GET", "Sec-Fetch-Site: cross-site", "cross_site_forbidden")]
    [InlineData("POST", "Sec-Fetch-Site: cross-site", "cross_site_forbidden")]
    [InlineData("GET", "Sec-Fetch-Site: same-site", "cross_site_forbidden")]
    public async Task Browser_requests_from_other_origins_are_refused_before_any_token_is_read(string method, string header, string code)
    {
        var (status, response) = await RawHttp.SendAsync(_scenario.Proxy.Address, method, "/acme/repos", header, "Content-Length: 0");

        Assert.Equal(403, status);
        Assert.Contains($"TokenProxy-Error: {code}", response, StringComparison.Ordinal);
        Assert.DoesNotContain("Access-Control-Allow-Origin", response, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task WebSocket_upgrade_with_a_foreign_origin_is_refused()
    {
        var (status, _) = await RawHttp.SendAsync(_scenario.Proxy.Address, "GET", "/acme/socket",
            "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Origin: https://evil.test");

        Assert.Equal(403, status);
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task Allowed_origin_and_clients_without_origin_work()
    {
        var (allowed, _) = await RawHttp.SendAsync(_scenario.Proxy.Address, "GET", "/acme/a", "Origin: http://localhost:3000", "Sec-Fetch-Site: same-site");
        using var plain = await _scenario.Proxy.Client.GetAsync("/acme/b");

        Assert.Equal(200, allowed);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(2, _scenario.Api.Requests.Count);
    }
}
