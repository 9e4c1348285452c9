using System.Net;

namespace TokenProxy.Tests.Portal;

/// <summary>The portal cookie is <c>Secure</c> when people reach the proxy over https, even behind a TLS-terminating front.</summary>
public sealed class PortalCookieTests
{
    [Fact]
    public async Task The_portal_cookie_is_secure_when_the_public_address_is_https()
    {
        await using var portal = await PortalScenario.StartAsync([], settings => settings["TokenProxy:PublicBaseUrl"] = "https://proxy.agency.example");
        await portal.CreateWorkspaceAsync("acme");
        var link = await portal.LinkAsync("acme");

        var (entered, _) = await portal.OpenAsync(link);

        Assert.StartsWith("https://proxy.agency.example/portal/enter/", link, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, entered.StatusCode);
        var setCookie = entered.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tokenproxy_portal=", StringComparison.Ordinal));
        Assert.Contains("; secure", setCookie, StringComparison.OrdinalIgnoreCase);
    }
}
