using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Vault;

/// <summary>
/// Threat: someone with write access to the database puts a value in a connection's <c>parameters</c> column that is
/// not a JSON object of strings (docs/architecture.md §6: E25, A1). That connection's requests are refused with a
/// problem before anything is sent; the other connections, the admin list and the admin pages keep working, and the
/// proxy still starts (a store problem is a message, never an unhandled exception).
/// </summary>
public sealed class ParameterTamperingTests
{
    public static TheoryData<string, string> Tamperings() => new()
    {
        { "not JSON", "garbage" },
        { "a number value", """{"tenant":127}""" },
        { "an array value", """{"tenant":["127.0.0.1"]}""" },
        { "an object value", """{"tenant":{"host":"127.0.0.1"}}""" },
        { "a raw NUL in a value", "{\"tenant\":\"127.0.0.1\u0000\"}" },
        { "nested too deep", new string('[', 5000) + new string(']', 5000) },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task A_parameters_column_that_is_not_an_object_of_strings_is_refused_per_request_and_the_admin_list_still_works(string tampering, string stored)
    {
        var victimToken = Canary.New("victim");
        await using var attacker = await RecordingUpstream.StartAsync();
        await using var scenario = await StartAsync();
        var victim = await ImportAsync(scenario.Proxy, "victim", victimToken);
        await ImportAsync(scenario.Proxy, "other", Canary.New("other"));

        await SetParametersAsync(scenario.Proxy.DatabasePath, victim, stored);

        using var response = await scenario.Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/tenant/items") { Headers = { { "TokenProxy-Connection", "victim" } } });
        using var other = await scenario.Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/tenant/items") { Headers = { { "TokenProxy-Connection", "other" } } });
        using var list = await scenario.Proxy.Client.GetAsync("/admin/api/connections");
        using var page = await scenario.Proxy.Client.GetAsync("/admin/connections");

        Assert.True(response.StatusCode == HttpStatusCode.BadGateway, $"{tampering}: the request answered {(int)response.StatusCode}");
        await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "invalid_destination");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.True(list.StatusCode == HttpStatusCode.OK, $"{tampering}: GET /admin/api/connections answered {(int)list.StatusCode}");
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{tampering}: GET /admin/connections answered {(int)page.StatusCode}");
        Assert.Equal(["/api/items"], scenario.Api.Requests.Select(r => r.PathAndQuery));
        Assert.Empty(attacker.Requests);
        Canary.AssertAbsent(victimToken, scenario.Proxy.Logs.All, "logs");
    }

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task The_proxy_starts_beside_a_connection_whose_parameters_column_is_not_an_object_of_strings(string tampering, string stored)
    {
        await using var scenario = await StartAsync();
        var victim = await ImportAsync(scenario.Proxy, "victim", Canary.New("victim"));
        await ImportAsync(scenario.Proxy, "other", Canary.New("other"));
        await scenario.StopAsync();

        await SetParametersAsync(scenario.Proxy.DatabasePath, victim, stored);

        var restarted = await Record.ExceptionAsync(scenario.RestartAsync);
        Assert.True(restarted is null, $"{tampering}: the proxy did not start: {restarted?.GetType().Name}");
        using var other = await scenario.Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/tenant/items") { Headers = { { "TokenProxy-Connection", "other" } } });
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    private static Task<ProxyScenario> StartAsync() => ProxyScenario.StartAsync(configure: (settings, api) =>
    {
        settings["TokenProxy:Providers:tenant:ApiBaseUrl"] = $"http://{{tenant}}:{api.Port}/api";
        settings["TokenProxy:Providers:tenant:AllowedHosts:0"] = $"127.0.0.1:{api.Port}";
        settings["TokenProxy:Providers:tenant:Parameters:tenant:Pattern"] = @"^(?s:.*)\z";
    });

    private static async Task<string> ImportAsync(ProxyHost proxy, string label, string accessToken)
    {
        using var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "tenant", label, accessToken, parameters = new Dictionary<string, string> { ["tenant"] = "127.0.0.1" } }));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    internal static async Task SetParametersAsync(string database, string id, string parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE connections SET parameters = $parameters, version = version + 1 WHERE id = $id";
        command.Parameters.AddWithValue("$parameters", parameters);
        command.Parameters.AddWithValue("$id", id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
