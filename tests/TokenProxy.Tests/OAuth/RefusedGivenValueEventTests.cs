using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// A value refused on the connect form is recorded as a failed connect (docs/architecture.md §8): the recent failures and
/// the log must say for which provider, or nobody can tell which connect link is wrong.
/// </summary>
public sealed class RefusedGivenValueEventTests
{
    [Fact]
    public async Task A_refused_value_is_a_failed_connect_that_names_its_provider()
    {
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
            settings["TokenProxy:Providers:acme:ApiBaseUrl"] = $"http://127.0.0.1:{api.Port}/t/{{tenant}}/";
            settings["TokenProxy:Providers:acme:Parameters:tenant:Pattern"] = @"^[a-z]+\z";
            settings["TokenProxy:Providers:acme:Parameters:tenant:Label"] = "Acme tenant";
        });
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        using var refused = await browser.GetAsync("/admin/connect/acme?tenant=NOT-LOWER");
        var events = JsonDocument.Parse(await scenario.Proxy.Client.GetStringAsync("/admin/api/events")).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var failed = Assert.Single(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "connect_failed");
        // Today: "provider": null, and the log line reads "Authorization for (null) failed at connect".
        Assert.Equal("acme", failed.GetProperty("provider").GetString());
    }
}
