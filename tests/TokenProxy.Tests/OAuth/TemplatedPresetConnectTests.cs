using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// The shipped presets whose OAuth endpoints have a per-tenant placeholder (docs/architecture.md §8, A1) start a browser
/// connect at the tenant given on the connect URL, and a connection of theirs with its parameters can refresh. Nothing
/// here reaches the real providers: starting a connect only answers a redirect.
/// </summary>
public sealed class TemplatedPresetConnectTests
{
    [Theory]
    [InlineData("zendesk", "subdomain=acme", "https://acme.zendesk.com/oauth/authorizations/new")]
    [InlineData("okta", "domain=dev-123456.okta.com", "https://dev-123456.okta.com/oauth2/v1/authorize")]
    [InlineData("auth0", "domain=acme.eu.auth0.com", "https://acme.eu.auth0.com/authorize")]
    [InlineData("shopify", "shop=acme", "https://acme.myshopify.com/admin/oauth/authorize")]
    [InlineData("microsoft-tenant", "tenant=contoso.onmicrosoft.com", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize")]
    public async Task A_templated_preset_connects_in_the_browser_at_the_given_tenant_and_its_connections_can_refresh(string preset, string query, string authorize)
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            [$"TokenProxy:Providers:{preset}:ClientId"] = "client",
            [$"TokenProxy:Providers:{preset}:ClientSecret"] = "secret",
        });
        using var browser = new ConnectFlow(proxy.Address);

        using var form = await browser.GetAsync($"/admin/connect/{preset}");
        using var start = await browser.GetAsync($"/admin/connect/{preset}?{query}");
        var (name, value) = (query[..query.IndexOf('=', StringComparison.Ordinal)], query[(query.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        using var import = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new
        {
            provider = preset, label = "imported", accessToken = "access", refreshToken = "refresh", expiresIn = 3600,
            parameters = new Dictionary<string, string> { [name] = value },
        }));

        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains($"name=\"{name}\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.StartsWith(authorize + "?", start.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, import.StatusCode);
        Assert.True((await import.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("canRefresh").GetBoolean());
    }
}
