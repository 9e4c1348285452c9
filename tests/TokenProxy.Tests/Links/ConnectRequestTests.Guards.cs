using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Links;

/// <summary>
/// What a link refuses to do: fill a connection another connect filled, reconnect another account, keep tokens for a
/// connection deleted meanwhile, connect from a post that cannot show where it came from, or carry a message that reorders
/// its page.
/// </summary>
public abstract partial class ConnectRequestTests
{
    [Fact]
    public async Task A_link_never_fills_a_connection_another_connect_filled_meanwhile()
    {
        await using var scenario = await StartAsync();
        var request = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "crm" });
        using var ada = scenario.Browser();
        var adaState = await LinkScenario.StartAsync(ada, LinkScenario.PathOf(request));
        // While Ada is at the provider, the operator sends Bob a link that reconnects the connection Ada's attempt made.
        var pendingId = Assert.Single(await scenario.ConnectionsAsync()).GetProperty("id").GetString()!;
        var reconnect = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", connection = pendingId });
        using var bob = scenario.Browser();
        var bobState = await LinkScenario.StartAsync(bob, LinkScenario.PathOf(reconnect));
        using var bobDone = await bob.CallbackAsync("acme", ("code", "code-bob"), ("state", bobState));
        var revoked = RevokedTwice(scenario);

        using var adaDone = await ada.CallbackAsync("acme", ("code", "code-ada"), ("state", adaState));
        var page = await adaDone.Content.ReadAsStringAsync();
        using var call = await scenario.Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/acme/items")
        {
            Headers = { { "TokenProxy-Workspace", "acme-co" }, { "TokenProxy-Connection", "crm" } },
        });

        Assert.Equal(HttpStatusCode.SeeOther, bobDone.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, adaDone.StatusCode);
        Assert.Contains("already has another connection labelled", page, StringComparison.Ordinal);
        Assert.Equal("Bearer access-1", scenario.Inner.Api.Requests.Last().Header("Authorization"));
        Assert.Equal("outstanding", (await scenario.RequestAsync(request.GetProperty("id").GetString()!)).GetProperty("status").GetString());
        await revoked.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["refresh-2", "access-2"], scenario.Authorization.Revocations.Select(f => f["token"]));
    }

    [Fact]
    public async Task A_retry_of_a_link_after_a_failed_exchange_carries_on_with_its_own_attempt()
    {
        await using var scenario = await StartAsync();
        var request = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "crm" });
        var link = LinkScenario.PathOf(request);
        using var browser = scenario.Browser();
        var failedState = await LinkScenario.StartAsync(browser, link);
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant" });
        using var failed = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", failedState));
        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens();

        var state = await LinkScenario.StartAsync(browser, link);
        using var done = await browser.CallbackAsync("acme", ("code", "code-2"), ("state", state));

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        var connection = Assert.Single(await scenario.ConnectionsAsync());
        Assert.Equal("crm", connection.GetProperty("label").GetString());
        Assert.Equal(connection.GetProperty("id").GetString(), (await scenario.RequestAsync(request.GetProperty("id").GetString()!)).GetProperty("resultConnection").GetString());
    }

    [Fact]
    public async Task A_reconnect_whose_connection_is_deleted_while_the_person_is_at_the_provider_revokes_the_new_tokens()
    {
        await using var scenario = await StartAsync();
        var id = await ImportCrmAsync(scenario);
        var request = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", connection = id });
        using var browser = scenario.Browser();
        var state = await LinkScenario.StartAsync(browser, LinkScenario.PathOf(request));
        using var deleted = await scenario.Admin.DeleteAsync($"/admin/api/connections/{id}");
        var revoked = RevokedTwice(scenario);

        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, callback.StatusCode);
        Assert.Empty(await scenario.ConnectionsAsync());
        await revoked.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["refresh-1", "access-1"], scenario.Authorization.Revocations.Select(f => f["token"]));
    }

    [Fact]
    public async Task A_reconnect_by_link_signed_in_as_another_account_changes_nothing_and_leaves_the_link_to_the_right_person()
    {
        await using var scenario = await StartAsync();
        var first = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "crm" });
        using var ada = scenario.Browser();
        var adaState = await LinkScenario.StartAsync(ada, LinkScenario.PathOf(first));
        using var adaDone = await ada.CallbackAsync("acme", ("code", "code-1"), ("state", adaState));
        var id = Assert.Single(await scenario.ConnectionsAsync()).GetProperty("id").GetString()!;
        var reconnect = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", connection = id });
        scenario.Authorization.UserInfo = new { sub = "user-7", email = "bob@example.com", name = "Bob" };
        using var bob = scenario.Browser();
        var bobState = await LinkScenario.StartAsync(bob, LinkScenario.PathOf(reconnect));
        var revoked = RevokedTwice(scenario);

        using var bobDone = await bob.CallbackAsync("acme", ("code", "code-2"), ("state", bobState));
        var page = await bobDone.Content.ReadAsStringAsync();
        var connection = Assert.Single(await scenario.ConnectionsAsync());

        Assert.Equal(HttpStatusCode.SeeOther, adaDone.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, bobDone.StatusCode);
        Assert.Contains("This link reconnects ada@example.com; you signed in as another account. Nothing was changed.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/admin/connections", page, StringComparison.Ordinal);
        Assert.Equal("user-42", connection.GetProperty("account").GetProperty("id").GetString());
        Assert.Equal("outstanding", (await scenario.RequestAsync(reconnect.GetProperty("id").GetString()!)).GetProperty("status").GetString());
        await revoked.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["refresh-2", "access-2"], scenario.Authorization.Revocations.Select(f => f["token"]));
    }

    [Fact]
    public async Task A_callback_whose_state_is_unknown_names_no_admin_page_since_it_may_come_from_a_link()
    {
        await using var scenario = await StartAsync();
        using var browser = scenario.Browser();

        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", "no-such-state"));
        var page = await callback.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, callback.StatusCode);
        Assert.DoesNotContain("connections page", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"/admin/connections", page, StringComparison.Ordinal);
        Assert.Contains("open the link you were sent again", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_to_a_link_with_neither_Sec_Fetch_Site_nor_Origin_is_refused_like_a_cross_site_one()
    {
        await using var scenario = await StartAsync();
        var request = await scenario.CreateAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = scenario.Proxy.Address };

        using var post = await client.PostAsync(LinkScenario.PathOf(request), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.Empty(await scenario.ConnectionsAsync());
    }

    [Theory]
    [InlineData("Pay \u202Eenilno\u202C now")]
    [InlineData("Connect \u2067the CRM\u2069 today")]
    [InlineData("Left \u202Ato right")]
    public async Task A_message_with_bidirectional_overrides_or_isolates_is_refused(string message)
    {
        await using var scenario = await StartAsync();

        using var created = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme", message });

        await Problems.AssertProblemAsync(created, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Empty((await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests")).EnumerateArray());
    }

    private static async Task<string> ImportCrmAsync(LinkScenario scenario)
    {
        using var imported = await scenario.Admin.PostAsJsonAsync("/admin/api/connections", new
        {
            provider = "acme", label = "crm", workspace = "acme-co", accessToken = "old-access", refreshToken = "old-refresh",
        });
        return (await imported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Completes once the revocation endpoint has received two forms (refresh token, then access token).</summary>
    private static Task RevokedTwice(LinkScenario scenario)
    {
        var revoked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scenario.Authorization.RevokeRespond = _ =>
        {
            if (scenario.Authorization.Revocations.Count == 2)
            {
                revoked.TrySetResult();
            }

            return Task.CompletedTask;
        };
        return revoked.Task;
    }
}
