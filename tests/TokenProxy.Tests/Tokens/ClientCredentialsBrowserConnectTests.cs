using System.Net;
using TokenProxy.Tests.OAuth;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// A client-credentials connection belongs to the client itself: no browser connect gives one, so none may take it over
/// (README, "Client credentials: tokens for the app itself": no Reconnect).
/// </summary>
public sealed class ClientCredentialsBrowserConnectTests
{
    [Fact]
    public async Task Browser_reconnect_of_a_client_credentials_connection_is_refused_and_keeps_it_the_clients_own()
    {
        await using var scenario = await ClientCredentialsScenario.StartAsync();
        var id = (await scenario.CreatedAsync()).GetProperty("id").GetString()!;
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        using var reconnect = await browser.GetAsync($"/admin/connect/{ClientCredentialsScenario.Provider}?connection={id}");

        // Today: 302 to the authorization endpoint; finishing the sign-in turns the client's connection into a person's.
        Assert.NotEqual(HttpStatusCode.Redirect, reconnect.StatusCode);
        Assert.True((int)reconnect.StatusCode is >= 400 and < 500, $"{(int)reconnect.StatusCode}");
        Assert.Equal("clientcredentials", (await scenario.ConnectionAsync(id)).GetProperty("credentialKind").GetString());
    }
}
