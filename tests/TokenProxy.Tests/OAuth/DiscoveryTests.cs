using System.Net;
using TokenProxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace TokenProxy.Tests.OAuth;

/// <summary>RFC 8414 / OpenID Connect discovery for providers configured with only an issuer (docs/architecture.md §6: D21).</summary>
public sealed class DiscoveryTests
{
    /// <summary>A provider's metadata as WireMock serves it: recorded answers, no code of our own.</summary>
    private static async Task<(WireMockServer Server, ProxyHost Proxy)> StartAsync(Func<Uri, object> metadata, int status = 200)
    {
        var server = WireMockServer.Start();
        var answer = Response.Create().WithStatusCode(status);
        server.Given(Request.Create().WithPath(MetadataPath).UsingGet())
            .RespondWith(status is >= 300 and < 400
                ? answer.WithHeader("Location", "https://evil.test" + MetadataPath)
                : answer.WithBodyAsJson(metadata(Address(server))));
        return (server, await StartProxyAsync(server));
    }

    private const string MetadataPath = "/.well-known/openid-configuration";

    private static Uri Address(WireMockServer server) => new(server.Url!);

    private static Task<ProxyHost> StartProxyAsync(WireMockServer server)
    {
        var issuer = server.Url!;
        return ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["TokenProxy:Providers:oidc:Issuer"] = issuer,
            ["TokenProxy:Providers:oidc:ApiBaseUrl"] = issuer,
            ["TokenProxy:Providers:oidc:ClientId"] = "client",
        });
    }

    private static int Calls(WireMockServer server, string path) => server.LogEntries.Count(e => e.RequestMessage.Path == path);

    private static object GoodMetadata(Uri address) => new
    {
        issuer = address.AbsoluteUri.TrimEnd('/'),
        authorization_endpoint = new Uri(address, "/authorize").AbsoluteUri,
        token_endpoint = new Uri(address, "/token").AbsoluteUri,
        code_challenge_methods_supported = new[] { "S256" },
        authorization_response_iss_parameter_supported = true,
    };

    [Fact]
    public async Task Provider_with_only_an_issuer_gets_its_endpoints_from_discovery()
    {
        var (server, proxy) = await StartAsync(GoodMetadata);
        using var _ = server;
        await using var __ = proxy;
        using var browser = new ConnectFlow(proxy.Address);

        using var response = await browser.GetAsync("/admin/connect/oidc");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(new Uri(Address(server), "/authorize").AbsoluteUri + "?", response.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_iss_is_rejected_when_the_server_advertises_it()
    {
        var (server, proxy) = await StartAsync(GoodMetadata);
        using var _ = server;
        await using var __ = proxy;
        using var browser = new ConnectFlow(proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/oidc");

        using var response = await browser.CallbackAsync("oidc", ("code", "c"), ("state", authorize["state"]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Calls(server, "/token"));
    }

    [Fact]
    public async Task Metadata_naming_another_issuer_is_not_used()
    {
        var (server, proxy) = await StartAsync(address => new
        {
            issuer = "https://evil.test",
            authorization_endpoint = "https://evil.test/authorize",
            token_endpoint = "https://evil.test/token",
        });
        using var _ = server;
        await using var __ = proxy;

        using var response = await proxy.Client.GetAsync("/admin/connect/oidc");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("names issuer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_redirect_is_not_followed()
    {
        var (server, proxy) = await StartAsync(GoodMetadata, status: 302);
        using var _ = server;
        await using var __ = proxy;

        using var response = await proxy.Client.GetAsync("/admin/connect/oidc");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task Server_without_s256_is_refused_rather_than_connected_without_pkce()
    {
        var (server, proxy) = await StartAsync(address => new
        {
            issuer = address.AbsoluteUri.TrimEnd('/'),
            authorization_endpoint = new Uri(address, "/authorize").AbsoluteUri,
            token_endpoint = new Uri(address, "/token").AbsoluteUri,
            code_challenge_methods_supported = new[] { "plain" },
        });
        using var _ = server;
        await using var __ = proxy;

        using var response = await proxy.Client.GetAsync("/admin/connect/oidc");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("S256", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_answered_503_once_is_fetched_again_and_used()
    {
        using var server = WireMockServer.Start();
        server.Given(Request.Create().WithPath(MetadataPath).UsingGet()).InScenario("outage").WillSetStateTo("back")
            .RespondWith(Response.Create().WithStatusCode(503));
        server.Given(Request.Create().WithPath(MetadataPath).UsingGet()).InScenario("outage").WhenStateIs("back")
            .RespondWith(Response.Create().WithBodyAsJson(GoodMetadata(Address(server))));
        await using var proxy = await StartProxyAsync(server);
        using var browser = new ConnectFlow(proxy.Address);

        using var response = await browser.GetAsync("/admin/connect/oidc");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(2, Calls(server, MetadataPath));
    }
}
