using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// A refresh whose token answer names an <c>instance_url</c> outside <c>AllowedHosts</c>: the stored address is kept
/// (README), and the refusal is not silent, since it is either an attack on the destination or an instance that moved.
/// </summary>
public sealed class InstanceUrlRefreshTests
{
    [Fact]
    public async Task A_refresh_naming_an_instance_url_outside_allowed_hosts_keeps_the_address_and_says_so()
    {
        await using var attacker = await RecordingUpstream.StartAsync();
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
            settings["TokenProxy:Providers:acme:ApiBaseUrl"] = "{instance_url}/services/data";
            settings["TokenProxy:Providers:acme:AllowedHosts:0"] = $"127.0.0.1:{api.Port}";
            settings["TokenProxy:Providers:acme:Parameters:instance_url:FromTokenResponse"] = "true";
        });
        var allowed = $"http://127.0.0.1:{scenario.Api.Address.Port}";
        scenario.Authorization.Respond = (context, n) => context.Response.WriteAsJsonAsync(new
        {
            access_token = $"access-{n}", refresh_token = $"refresh-{n}", token_type = "Bearer", expires_in = 3600,
            instance_url = n == 1 ? allowed : $"http://{attacker.Address.Authority}",
        });
        using (var browser = new ConnectFlow(scenario.Proxy.Address))
        {
            var authorize = await browser.StartAsync("/admin/connect/acme");
            using var callback = await browser.CallbackAsync("acme", ("code", "code-123"), ("state", authorize["state"]));
        }
        var id = (await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections"))[0].GetProperty("id").GetString()!;

        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        using var call = await scenario.Proxy.Client.GetAsync("/acme/v62.0/sobjects");

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Empty(attacker.Requests);
        var connection = await scenario.ConnectionAsync(id);
        Assert.Equal(allowed, connection.GetProperty("parameters").GetProperty("instance_url").GetString());
        var warned = scenario.Proxy.Logs.Lines.Any(line =>
            (line.StartsWith("Warning", StringComparison.Ordinal) || line.StartsWith("Error", StringComparison.Ordinal))
            && line.Contains(id, StringComparison.Ordinal) && line.Contains("instance_url", StringComparison.Ordinal));
        Assert.True(warned, "The refused instance_url was kept from the stored address silently: no Warning naming the connection.");
    }
}
