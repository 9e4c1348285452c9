using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// A provider's required headers (<c>Headers</c>, docs/architecture.md §7): added to every proxied request
/// unless the app sent its own, with a placeholder filled from each connection's parameters.
/// </summary>
public sealed class ProviderHeadersTests
{
    [Fact]
    public async Task Provider_headers_reach_the_api_and_an_apps_own_value_of_that_name_wins()
    {
        await using var scenario = await ProxyScenario.StartAsync((settings, _) =>
        {
            settings["TokenProxy:Providers:acme:Headers:Notion-Version"] = "2025-09-03";
            settings["TokenProxy:Providers:acme:Headers:X-GitHub-Api-Version"] = "2022-11-28";
        });
        await scenario.Proxy.ImportAsync("acme", "token-a");

        using var plain = await scenario.Proxy.Client.GetAsync("/acme/pages");
        using var own = new HttpRequestMessage(HttpMethod.Get, "/acme/pages");
        own.Headers.Add("notion-version", "2022-06-28");
        using var overridden = await scenario.Proxy.Client.SendAsync(own);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var (first, second) = (scenario.Api.Requests.First(), scenario.Api.Requests.Last());
        Assert.Equal("2025-09-03", first.Header("Notion-Version"));
        Assert.Equal("2022-11-28", first.Header("X-GitHub-Api-Version"));
        Assert.Equal("2022-06-28", second.Header("Notion-Version"));
        Assert.Equal("2022-11-28", second.Header("X-GitHub-Api-Version"));
        Assert.Equal("Bearer token-a", second.Header("Authorization"));
    }

    [Fact]
    public async Task A_header_placeholder_carries_each_connections_own_parameter()
    {
        await using var scenario = await ProxyScenario.StartAsync((settings, api) =>
        {
            settings["TokenProxy:Providers:xero:ApiBaseUrl"] = api.AbsoluteUri;
            settings["TokenProxy:Providers:xero:Parameters:tenantId:Pattern"] = @"^[0-9a-f-]{36}\z";
            settings["TokenProxy:Providers:xero:Parameters:tenantId:Label"] = "Xero organisation";
            settings["TokenProxy:Providers:xero:Headers:Xero-tenant-id"] = "{tenantId}";
        });
        var tenants = new[] { "0f6ecb2a-6c3b-4c5e-9d1a-1b2c3d4e5f60", "a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d" };
        foreach (var (tenant, label) in tenants.Zip(new[] { "one", "two" }))
        {
            using var created = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
                new { provider = "xero", label, accessToken = $"token-{label}", parameters = new Dictionary<string, string> { ["tenantId"] = tenant } }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        foreach (var label in new[] { "one", "two" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/xero/api.xro/2.0/Invoices");
            request.Headers.Add("TokenProxy-Connection", label);
            using var response = await scenario.Proxy.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(
            [("Bearer token-one", tenants[0]), ("Bearer token-two", tenants[1])],
            scenario.Api.Requests.Select(r => (r.Header("Authorization"), r.Header("Xero-tenant-id"))));
    }
}
