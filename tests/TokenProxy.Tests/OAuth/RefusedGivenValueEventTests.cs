using System.Net;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// A value refused on the connect form is recorded as a failed connect (docs/architecture.md §8): the log and the connect
/// span must say for which provider, or nobody can tell which connect link is wrong. It changes no connection, so it is
/// not in the event log.
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
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        // Before: the log line read "Authorization for (null) failed at connect".
        Assert.Single(scenario.Proxy.Logs.Lines, line => line.Contains("Authorization for acme failed at connect", StringComparison.Ordinal));
    }
}
