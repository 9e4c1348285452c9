using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// A connection keeps the value it was connected with; another value for the same connection is refused (README,
/// "Values the person gives"). Two connects under one label started side by side (two tabs) must not get round that.
/// </summary>
public sealed class GivenValueTwoTabsTests
{
    [Fact]
    public async Task The_second_of_two_tabs_with_another_value_for_the_same_label_is_refused_and_the_first_value_stays()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
            settings["TokenProxy:Providers:acme:ApiBaseUrl"] = $"http://127.0.0.1:{api.Port}/t/{{tenant}}/";
            settings["TokenProxy:Providers:acme:Parameters:tenant:Pattern"] = @"^[a-z]+\z";
        });
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var first = await browser.StartAsync("/admin/connect/acme?label=twin&tenant=first");
        var second = await browser.StartAsync("/admin/connect/acme?label=twin&tenant=second");

        using (await browser.CallbackAsync("acme", ("code", "code-1"), ("state", first["state"])))
        {
        }

        using var late = await browser.CallbackAsync("acme", ("code", "code-2"), ("state", second["state"]));
        var connection = Assert.Single((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());

        // Today: 303 to the connection's page, and its tenant silently becomes "second" (apps on 'twin' change account).
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("first", connection.GetProperty("parameters").GetProperty("tenant").GetString());
    }
}
