using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// An Atlassian-like provider whose API base is <c>/ex/jira/{cloudId}</c>, the site found after the code exchange by
/// calling <c>accessible-resources</c> with the new token (docs/architecture.md §8, A1): one site is taken, of several the
/// person picks one on a page, and nothing usable exists before that pick; a forged pick, no site or a failed call is a
/// failed connect that stores nothing.
/// </summary>
public sealed partial class SiteDiscoveryConnectTests
{
    private const string First = "11111111-1111-4111-8111-111111111111";
    private const string Second = "22222222-2222-4222-8222-222222222222";

    [Fact]
    public async Task With_one_accessible_site_the_connect_takes_it_and_requests_reach_that_sites_api()
    {
        await using var scenario = await StartAsync([new { id = First, name = "Acme Jira", url = "https://acme.atlassian.net" }]);
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        using var callback = await ConnectAsync(scenario, browser);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);

        var connection = await OnlyConnectionAsync(scenario);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal(First, connection.GetProperty("parameters").GetProperty("cloudId").GetString());
        var discovery = Assert.Single(scenario.Api.Requests, r => r.PathAndQuery == "/oauth/token/accessible-resources");
        Assert.Equal("Bearer access-1", discovery.Header("Authorization"));

        using var call = await scenario.Proxy.Client.GetAsync("/acme/rest/api/3/myself");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal($"/ex/jira/{First}/rest/api/3/myself", scenario.Api.Requests.Last().PathAndQuery);
    }

    [Fact]
    public async Task With_two_sites_the_person_picks_one_on_a_page_and_requests_reach_the_chosen_sites_api()
    {
        await using var scenario = await StartAsync([new { id = First, name = "Acme Jira" }, new { id = Second, name = "Beta Jira" }]);
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        using var callback = await ConnectAsync(scenario, browser);
        var page = await callback.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        Assert.Contains("Acme Jira", page, StringComparison.Ordinal);
        Assert.Contains("Beta Jira", page, StringComparison.Ordinal);

        // Before the pick nothing is usable: the new connection is pending, without credentials.
        var waiting = await OnlyConnectionAsync(scenario);
        Assert.Equal("pending", waiting.GetProperty("status").GetString());
        using (var early = await scenario.Proxy.Client.GetAsync("/acme/rest/api/3/myself"))
        {
            Assert.NotEqual(HttpStatusCode.OK, early.StatusCode);
        }

        using var pick = await browser.PostFormAsync("/admin/callback/acme/pick", ("pick", PickKey(page)), ("value", Second));
        Assert.Equal(HttpStatusCode.SeeOther, pick.StatusCode);

        var connection = await OnlyConnectionAsync(scenario);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal(Second, connection.GetProperty("parameters").GetProperty("cloudId").GetString());
        using var call = await scenario.Proxy.Client.GetAsync("/acme/rest/api/3/myself");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal($"/ex/jira/{Second}/rest/api/3/myself", scenario.Api.Requests.Last().PathAndQuery);
        Assert.Equal("Bearer access-1", scenario.Api.Requests.Last().Header("Authorization"));
    }

    [Theory]
    [InlineData("33333333-3333-4333-8333-333333333333")]
    [InlineData("../../evil")]
    [InlineData("")]
    public async Task A_pick_of_a_value_that_was_not_offered_is_refused_and_stores_nothing(string forged)
    {
        await using var scenario = await StartAsync([new { id = First, name = "Acme Jira" }, new { id = Second, name = "Beta Jira" }]);
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        using var callback = await ConnectAsync(scenario, browser);
        var key = PickKey(await callback.Content.ReadAsStringAsync());

        using var pick = await browser.PostFormAsync("/admin/callback/acme/pick", ("pick", key), ("value", forged));
        using var again = await browser.PostFormAsync("/admin/callback/acme/pick", ("pick", key), ("value", First));

        Assert.Equal(HttpStatusCode.BadRequest, pick.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Empty((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());
    }

    [Fact]
    public async Task A_pick_from_another_browser_is_refused()
    {
        await using var scenario = await StartAsync([new { id = First, name = "Acme Jira" }, new { id = Second, name = "Beta Jira" }]);
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        using var callback = await ConnectAsync(scenario, browser);
        var key = PickKey(await callback.Content.ReadAsStringAsync());
        using var other = new ConnectFlow(scenario.Proxy.Address);

        using var pick = await other.PostFormAsync("/admin/callback/acme/pick", ("pick", key), ("value", First));

        Assert.Equal(HttpStatusCode.BadRequest, pick.StatusCode);
        Assert.DoesNotContain((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray(),
            c => c.GetProperty("status").GetString() == "active");
    }

    [Fact]
    public async Task A_pick_key_is_no_state_a_callback_could_use()
    {
        await using var scenario = await StartAsync([new { id = First, name = "Acme Jira" }, new { id = Second, name = "Beta Jira" }]);
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        using var callback = await ConnectAsync(scenario, browser);
        var key = PickKey(await callback.Content.ReadAsStringAsync());

        using var replay = await browser.CallbackAsync("acme", ("code", "code-2"), ("state", key));

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task No_accessible_site_is_a_failed_connect_that_leaves_no_connection()
    {
        await using var scenario = await StartAsync([]);
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var revoked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scenario.Authorization.RevokeRespond = _ =>
        {
            if (scenario.Authorization.Revocations.Count == 2)
            {
                revoked.TrySetResult();
            }

            return Task.CompletedTask;
        };

        using var callback = await ConnectAsync(scenario, browser);
        var page = await callback.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, callback.StatusCode);
        Assert.Contains("No Atlassian site to connect", page, StringComparison.Ordinal);
        Assert.Empty((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());
        // The tokens minted for nothing are revoked at the provider, in the background: refresh token, then access token.
        await revoked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["refresh_token", "access_token"], scenario.Authorization.Revocations.Select(f => f["token_type_hint"]));
    }

    [Fact]
    public async Task A_discovery_answering_a_redirect_is_not_followed_and_fails_the_connect()
    {
        await using var attacker = await RecordingUpstream.StartAsync();
        await using var scenario = await StartAsync([]);
        scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = new Uri(attacker.Address, "/steal").AbsoluteUri;
            return Task.CompletedTask;
        };
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        using var callback = await ConnectAsync(scenario, browser);

        Assert.Equal(HttpStatusCode.BadGateway, callback.StatusCode);
        Assert.Empty(attacker.Requests);
        Assert.Empty((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());
    }

    [Fact]
    public async Task Sites_whose_id_breaks_the_parameters_rules_are_not_offered()
    {
        await using var scenario = await StartAsync([new { id = "../../evil", name = "Evil" }, new { id = Second, name = "Beta Jira" }]);
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        using var callback = await ConnectAsync(scenario, browser);

        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        Assert.Equal(Second, (await OnlyConnectionAsync(scenario)).GetProperty("parameters").GetProperty("cloudId").GetString());
    }

    private static async Task<RefreshScenario> StartAsync(object[] sites)
    {
        var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
            settings["TokenProxy:Providers:acme:ApiBaseUrl"] = new Uri(api, "/ex/jira/{cloudId}").OriginalString;
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Label"] = "Atlassian site";
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Pattern"] = @"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z";
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Discovery:Url"] = new Uri(api, "/oauth/token/accessible-resources").AbsoluteUri;
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Discovery:ValueField"] = "id";
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Discovery:LabelField"] = "name";
        });
        scenario.Api.Respond = (context, request) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(request.PathAndQuery == "/oauth/token/accessible-resources" ? JsonSerializer.Serialize(sites) : """{"ok":true}""");
        };
        return scenario;
    }

    private static async Task<HttpResponseMessage> ConnectAsync(RefreshScenario scenario, ConnectFlow browser)
    {
        var authorize = await browser.StartAsync("/admin/connect/acme");
        return await browser.CallbackAsync("acme", ("code", "code-1"), ("state", authorize["state"]));
    }

    private static async Task<JsonElement> OnlyConnectionAsync(RefreshScenario scenario) =>
        Assert.Single((await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray());

    /// <summary>The single-use key of a site-pick page's form.</summary>
    internal static string PickKey(string page) => PickField().Match(page).Groups[1].Value;

    [GeneratedRegex("name=\"pick\" value=\"([^\"]+)\"")]
    private static partial Regex PickField();
}
