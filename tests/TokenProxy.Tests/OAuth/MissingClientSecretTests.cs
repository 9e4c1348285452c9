using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// A confidential client configured without its secret, against the real oidc-provider: the providers API says what to
/// set before anyone connects, and the refused code exchange says that no secret is configured, not that a secret was
/// refused.
/// </summary>
public sealed class MissingClientSecretTests
{
    [Fact]
    public async Task A_provider_without_its_client_secret_says_so_before_connecting_and_when_the_exchange_is_refused()
    {
        var port = ProxyHost.FreePort();
        await using var server = await OidcProviderServer.StartAsync($"http://127.0.0.1:{port}/admin/callback/oidc", accessTokenSeconds: 3600);
        var settings = server.Provider("oidc");
        settings.Remove("TokenProxy:Providers:oidc:ClientSecret");
        settings["Urls"] = $"http://127.0.0.1:{port}";
        settings["TokenProxy:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        await using var proxy = await ProxyHost.StartAsync(settings);
        var providers = await proxy.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/admin/api/providers");
        var oidc = providers.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "oidc");

        using var browser = new ConnectFlow(proxy.Address);
        using var connect = await browser.GetAsync("/admin/connect/oidc?label=work");
        var back = await OidcLogin.AuthorizeAsync(connect.Headers.Location!, "work", $"{proxy.Address.AbsoluteUri}admin/callback/oidc");
        using var callback = await browser.GetAsync(back.PathAndQuery);
        var page = System.Net.WebUtility.HtmlDecode(await callback.Content.ReadAsStringAsync());

        Assert.Equal("Set TokenProxy:Providers:oidc:ClientSecret to connect, or TokenEndpointAuth none for a public client (PKCE).", oidc.GetProperty("setup").GetString());
        Assert.Equal(HttpStatusCode.BadGateway, callback.StatusCode);
        Assert.Contains(
            "refused the client, and no client secret is configured: set TokenProxy:Providers:oidc:ClientSecret, or TokenEndpointAuth none for a public client.",
            page, StringComparison.Ordinal);
        Assert.DoesNotContain("..", page.Replace("...", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("every configured client secret", page, StringComparison.Ordinal);
    }
}
