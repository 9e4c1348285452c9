using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// Connecting in the browser to a Zendesk-like provider whose authorization, token, revocation and identity URLs have the
/// person's value in the host (docs/architecture.md §8, A1): given on the connect URL or on the form, checked by its pattern,
/// the universal rule and <c>AllowedHosts</c> before anything is sent, and kept as the connection's parameter. On loopback
/// the host is <c>{subdomain}.0.0.1</c>, so the value <c>127</c> makes <c>127.0.0.1</c>; the pattern is deliberately
/// loose, so that the universal rule and AllowedHosts are what refuse a hostile value.
/// </summary>
public sealed partial class GivenValueConnectTests
{
    [Fact]
    public async Task A_value_on_the_connect_url_fills_the_templated_endpoints_and_becomes_the_connections_parameter()
    {
        await using var scenario = await StartAsync();
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        using var start = await browser.GetAsync("/admin/connect/acme?subdomain=127");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.Equal($"127.0.0.1:{scenario.Authorization.Address.Port}", start.Headers.Location!.Authority);
        var state = System.Web.HttpUtility.ParseQueryString(start.Headers.Location.Query)["state"]!;
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);

        var connection = await OnlyConnectionAsync(scenario);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal("127", connection.GetProperty("parameters").GetProperty("subdomain").GetString());
        Assert.True(connection.GetProperty("canRefresh").GetBoolean());
        Assert.Equal("ada@example.com", connection.GetProperty("account").GetProperty("email").GetString());

        using var call = await scenario.Proxy.Client.GetAsync("/acme/api/v2/tickets");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal("Bearer access-1", scenario.Api.Requests.Last().Header("Authorization"));

        var id = connection.GetProperty("id").GetString();
        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        Assert.True(refresh.IsSuccessStatusCode, await refresh.Content.ReadAsStringAsync());
        Assert.Equal(2, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_connect_without_the_value_shows_a_form_with_its_label_and_its_submission_connects()
    {
        await using var scenario = await StartAsync();
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        using var form = await browser.GetAsync("/admin/connect/acme?label=support");
        var page = await form.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("Acme subdomain", page, StringComparison.Ordinal);
        Assert.Contains("name=\"subdomain\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"label\" value=\"support\"", page, StringComparison.Ordinal);
        Assert.Empty((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());

        // The form submits by GET to its action, with its hidden fields and the value typed in.
        var action = FormAction().Match(page).Groups[1].Value;
        var authorize = await browser.StartAsync($"{action}?label=support&subdomain=127");
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", authorize["state"]));

        var connection = await OnlyConnectionAsync(scenario);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        Assert.Equal("support", connection.GetProperty("label").GetString());
        Assert.Equal("127", connection.GetProperty("parameters").GetProperty("subdomain").GetString());
    }

    [Theory]
    [InlineData("/admin/connect/acme?subdomain=")]
    [InlineData("/admin/connect/acme?label=default&subdomain=")]
    public async Task An_empty_value_asks_for_it_as_a_missing_one_does(string path)
    {
        await using var scenario = await StartAsync();
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        using var form = await browser.GetAsync(path);
        var page = await form.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("name=\"subdomain\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("is empty", page, StringComparison.Ordinal);
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Reconnecting_uses_the_stored_value_and_a_different_one_is_refused()
    {
        await using var scenario = await StartAsync();
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var first = await browser.StartAsync("/admin/connect/acme?subdomain=127");
        using (await browser.CallbackAsync("acme", ("code", "code-1"), ("state", first["state"])))
        {
        }

        var id = (await OnlyConnectionAsync(scenario)).GetProperty("id").GetString();
        using var reconnect = await browser.GetAsync($"/admin/connect/acme?connection={id}");
        using var other = await browser.GetAsync($"/admin/connect/acme?connection={id}&subdomain=128");

        Assert.Equal(HttpStatusCode.Redirect, reconnect.StatusCode);
        Assert.Equal($"127.0.0.1:{scenario.Authorization.Address.Port}", reconnect.Headers.Location!.Authority);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
    }

    public static TheoryData<string> HostileValues() =>
    [
        "evil.test#",
        "a.evil.test",
        "x/../..",
        "%2f",
        "%252f",
        "@evil.test",
        "127\u30020\u30020\u30021",
        "127\uFF0E0\uFF0E0\uFF0E1",
        "127\r\nHost: evil.test",
        new string('a', 10 * 1024),
        new string('a', 7 * 1024),
        // Values aimed at the attacker listener itself; {port} is replaced by its port.
        "127.0.0.1:{port}#",
        "x@127.0.0.1:{port}",
        "127.0.0.1:{port}/",
        "127.0.0.1.0.0.1:{port}",
        "a.127",
    ];

    [Theory]
    [MemberData(nameof(HostileValues))]
    public async Task A_hostile_value_on_the_connect_url_or_the_form_never_reaches_another_listener_and_gets_a_clear_answer(string hostile)
    {
        await using var attacker = await RecordingUpstream.StartAsync();
        await using var scenario = await StartAsync();
        var value = hostile.Replace("{port}", attacker.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        // On the connect URL, and as the form submits it (the same request, with the form's hidden fields).
        foreach (var path in new[] { $"/admin/connect/acme?subdomain={Uri.EscapeDataString(value)}", $"/admin/connect/acme?label=default&subdomain={Uri.EscapeDataString(value)}" })
        {
            using var response = await browser.GetAsync(path);
            var page = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.RequestUriTooLong)
            {
                // Kestrel refuses a request line over 8 KB before any endpoint runs: a clear 414, nothing sent anywhere.
                Assert.True(path.Length > 8 * 1024, $"414 for a {path.Length}-character target");
                continue;
            }

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Acme subdomain", page, StringComparison.Ordinal);
            Assert.Matches("The value given (may hold only|is longer than|names a host|takes the path|does not make)", page);
            Assert.DoesNotContain("evil.test", page, StringComparison.Ordinal);
        }

        Assert.Empty(attacker.Requests);
        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.Empty((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());
    }

    [Theory]
    [InlineData("127.0.0.1:{port}#")]
    [InlineData("a.127")]
    public async Task A_stored_value_that_no_longer_resolves_sends_nothing_on_refresh_or_revoke(string tampered)
    {
        await using var attacker = await RecordingUpstream.StartAsync();
        await using var scenario = await StartAsync();
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme?subdomain=127");
        using (await browser.CallbackAsync("acme", ("code", "code-1"), ("state", authorize["state"])))
        {
        }

        var id = (await OnlyConnectionAsync(scenario)).GetProperty("id").GetString()!;
        var value = tampered.Replace("{port}", attacker.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await TokenProxy.Tests.Vault.ParameterTamperingTests.SetParametersAsync(scenario.Proxy.DatabasePath, id, JsonSerializer.Serialize(new { subdomain = value }));

        var connection = await scenario.ConnectionAsync(id);
        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        using var revoke = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));

        Assert.False(connection.GetProperty("canRefresh").GetBoolean());
        Assert.False(refresh.IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Empty(scenario.Authorization.Revocations);
        Assert.Empty(attacker.Requests);
    }

    private static Task<RefreshScenario> StartAsync() => RefreshScenario.StartAsync(TemplatedSubdomain);

    /// <summary>Makes the scenario's provider <c>acme</c> one whose every URL has the person's <c>subdomain</c> in its host.</summary>
    internal static void TemplatedSubdomain(Dictionary<string, string?> settings)
    {
        var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
        var auth = new Uri(settings["TokenProxy:Providers:acme:TokenUrl"]!);
        settings["TokenProxy:Providers:acme:ApiBaseUrl"] = $"http://{{subdomain}}.0.0.1:{api.Port}/";
        settings["TokenProxy:Providers:acme:AuthorizationUrl"] = $"http://{{subdomain}}.0.0.1:{auth.Port}/authorize";
        settings["TokenProxy:Providers:acme:TokenUrl"] = $"http://{{subdomain}}.0.0.1:{auth.Port}/token";
        settings["TokenProxy:Providers:acme:RevocationUrl"] = $"http://{{subdomain}}.0.0.1:{auth.Port}/revoke";
        settings["TokenProxy:Providers:acme:Identity:Url"] = $"http://{{subdomain}}.0.0.1:{auth.Port}/userinfo";
        settings["TokenProxy:Providers:acme:AllowedHosts:0"] = $"127.0.0.1:{api.Port}";
        settings["TokenProxy:Providers:acme:AllowedHosts:1"] = $"127.0.0.1:{auth.Port}";
        settings["TokenProxy:Providers:acme:Parameters:subdomain:Pattern"] = @"^.+\z";
        settings["TokenProxy:Providers:acme:Parameters:subdomain:Label"] = "Acme subdomain";
    }

    private static async Task<JsonElement> OnlyConnectionAsync(RefreshScenario scenario) =>
        Assert.Single((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());

    [GeneratedRegex("<form method=\"get\" action=\"([^\"]+)\"")]
    private static partial Regex FormAction();
}
