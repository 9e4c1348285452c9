using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Links;

/// <summary>
/// Connect requests by link (docs/architecture.md §9), run against each store (SQLite, PostgreSQL): the link connects
/// without admin access into the request's workspace and end user, once; a used, cancelled or expired link exchanges
/// nothing, also when it changes while the person is at the provider; a reconnect keeps the connection's id.
/// </summary>
public abstract partial class ConnectRequestTests
{
    /// <summary>The settings that put the proxy on the store under test.</summary>
    private protected abstract Task<Dictionary<string, string?>> StoreSettingsAsync();

    private Task<LinkScenario> StartAsync(Action<Dictionary<string, string?>>? configure = null, bool fakeClock = false) =>
        StoreSettingsAsync().ContinueWith(s => LinkScenario.StartAsync(s.Result, configure, fakeClock: fakeClock)).Unwrap();

    [Fact]
    public async Task A_link_opened_without_admin_access_connects_into_the_requests_workspace_and_end_user_and_completes_it()
    {
        await using var scenario = await StartAsync();
        var request = await scenario.CreateAsync(new
        {
            workspace = "acme-co", provider = "acme", label = "crm", scopes = new[] { "contacts.read" },
            endUser = new { id = "u-1", displayName = "Ada Lovelace", email = "ada@example.com" }, message = "Hi <b>Ada</b>, please connect.",
        });
        using var browser = scenario.Browser();
        var link = LinkScenario.PathOf(request);

        using var page = await browser.GetAsync(link);
        var html = await page.Content.ReadAsStringAsync();
        using var preview = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Head, link));
        var state = await LinkScenario.StartAsync(browser, link);
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));
        using var done = await browser.GetAsync(callback.Headers.Location!.OriginalString);
        var connection = Assert.Single(await scenario.ConnectionsAsync());
        var completed = await scenario.RequestAsync(request.GetProperty("id").GetString()!);

        Assert.Equal("outstanding", request.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Contains("Acme Co", html, StringComparison.Ordinal);
        Assert.Contains("contacts.read", html, StringComparison.Ordinal);
        Assert.Contains("Hi &lt;b&gt;Ada&lt;/b&gt;, please connect.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/admin/connections", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<nav", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        // The person lands in the workspace's portal, on the new connection (a portal session started by the link).
        Assert.Equal($"/portal/connections/{connection.GetProperty("id").GetString()}?connected=1", callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("crm", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("crm", connection.GetProperty("label").GetString());
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal("u-1", connection.GetProperty("endUser").GetProperty("id").GetString());
        Assert.Equal("Ada Lovelace", connection.GetProperty("endUser").GetProperty("displayName").GetString());
        Assert.Equal("connect_request", connection.GetProperty("origin").GetString());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(connection.GetProperty("id").GetString(), completed.GetProperty("resultConnection").GetString());
        Assert.Equal(JsonValueKind.String, completed.GetProperty("completedAt").ValueKind);
        Assert.False(completed.TryGetProperty("url", out _));
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_used_link_answers_410_and_a_second_browser_coming_back_exchanges_nothing()
    {
        await using var scenario = await StartAsync();
        var link = LinkScenario.PathOf(await scenario.CreateAsync());
        using var first = scenario.Browser();
        using var second = scenario.Browser();
        var firstState = await LinkScenario.StartAsync(first, link);
        var secondState = await LinkScenario.StartAsync(second, link);

        using var completed = await first.CallbackAsync("acme", ("code", "code-1"), ("state", firstState));
        using var late = await second.CallbackAsync("acme", ("code", "code-2"), ("state", secondState));
        using var reopened = await second.GetAsync(link);
        using var reposted = await second.PostFormAsync(link);

        Assert.Equal(HttpStatusCode.SeeOther, completed.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Contains("already used", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, reopened.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, reposted.StatusCode);
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Single(await scenario.ConnectionsAsync());
    }

    [Fact]
    public async Task A_cancelled_link_answers_410_and_cancelling_while_the_person_is_at_the_provider_exchanges_and_keeps_nothing()
    {
        await using var scenario = await StartAsync();
        var request = await scenario.CreateAsync();
        var id = request.GetProperty("id").GetString();
        var link = LinkScenario.PathOf(request);
        using var browser = scenario.Browser();
        var state = await LinkScenario.StartAsync(browser, link);
        var whileAway = await scenario.ConnectionsAsync();

        using var cancel = await scenario.Admin.DeleteAsync($"/admin/api/connect-requests/{id}");
        using var again = await scenario.Admin.DeleteAsync($"/admin/api/connect-requests/{id}");
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));
        using var reopened = await browser.GetAsync(link);

        Assert.Single(whileAway);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, callback.StatusCode);
        Assert.Contains("cancelled", await callback.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, reopened.StatusCode);
        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.Empty(await scenario.ConnectionsAsync());
    }

    [Fact]
    public async Task A_completed_request_cannot_be_cancelled()
    {
        await using var scenario = await StartAsync();
        var request = await scenario.CreateAsync();
        using var browser = scenario.Browser();
        var state = await LinkScenario.StartAsync(browser, LinkScenario.PathOf(request));
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));

        using var cancel = await scenario.Admin.DeleteAsync($"/admin/api/connect-requests/{request.GetProperty("id").GetString()}");

        await Problems.AssertProblemAsync(cancel, HttpStatusCode.Conflict, "connect_request_completed");
        Assert.Single(await scenario.ConnectionsAsync());
    }

    [Fact]
    public async Task An_expired_link_shows_expired_at_once_and_expiring_while_the_person_is_at_the_provider_exchanges_nothing()
    {
        await using var scenario = await StartAsync(fakeClock: true);
        var early = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "early", expiresIn = 60 });
        var away = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "away", expiresIn = 120 });
        using var browser = scenario.Browser();
        var state = await LinkScenario.StartAsync(browser, LinkScenario.PathOf(away));

        scenario.Inner.Clock.Advance(TimeSpan.FromSeconds(120));
        using var opened = await browser.GetAsync(LinkScenario.PathOf(early));
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));
        var expired = await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests?workspace=acme-co&status=expired");
        var outstanding = await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests?status=outstanding");

        Assert.Equal(HttpStatusCode.Gone, opened.StatusCode);
        Assert.Contains("expired", await opened.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, callback.StatusCode);
        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.Empty(await scenario.ConnectionsAsync());
        Assert.Equal(2, expired.GetArrayLength());
        Assert.Equal(0, outstanding.GetArrayLength());
    }

    [Fact]
    public async Task Of_two_browsers_coming_back_together_with_one_link_exactly_one_connects()
    {
        await using var scenario = await StartAsync();
        var request = await scenario.CreateAsync();
        var link = LinkScenario.PathOf(request);
        using var first = scenario.Browser();
        using var second = scenario.Browser();
        var states = new[] { await LinkScenario.StartAsync(first, link), await LinkScenario.StartAsync(second, link) };
        // Both codes are exchanged before either browser goes on: both passed the check before the exchange, and the
        // claim alone decides.
        var arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var issue = FakeAuthorizationServer.IssueTokens();
        scenario.Authorization.Respond = async (context, n) =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                both.TrySetResult();
            }

            await both.Task;
            await issue(context, n);
        };

        var answers = await Task.WhenAll(
            first.CallbackAsync("acme", ("code", "code-1"), ("state", states[0])),
            second.CallbackAsync("acme", ("code", "code-2"), ("state", states[1])));
        var completed = await scenario.RequestAsync(request.GetProperty("id").GetString()!);
        var connection = Assert.Single(await scenario.ConnectionsAsync());

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.SeeOther);
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Gone);
        Assert.Equal(2, scenario.Authorization.Calls);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(connection.GetProperty("id").GetString(), completed.GetProperty("resultConnection").GetString());
        Assert.Equal("active", connection.GetProperty("status").GetString());
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task A_request_naming_a_connection_reconnects_it_keeping_its_id_and_its_link_is_single_use()
    {
        await using var scenario = await StartAsync();
        using var imported = await scenario.Admin.PostAsJsonAsync("/admin/api/connections", new
        {
            provider = "acme", label = "crm", workspace = "acme-co", accessToken = "old-access", refreshToken = "old-refresh",
        });
        var id = (await imported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var request = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", connection = id, message = "Your CRM access lapsed." });
        var link = LinkScenario.PathOf(request);
        using var browser = scenario.Browser();

        using var page = await browser.GetAsync(link);
        var state = await LinkScenario.StartAsync(browser, link);
        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));
        using var again = await browser.PostFormAsync(link);
        var connection = Assert.Single(await scenario.ConnectionsAsync());
        using var call = await scenario.Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/acme/items")
        {
            Headers = { { "TokenProxy-Workspace", "acme-co" }, { "TokenProxy-Connection", "crm" } },
        });

        Assert.Contains("Reconnect", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        Assert.Equal(id, connection.GetProperty("id").GetString());
        Assert.Equal("connect_request", connection.GetProperty("origin").GetString());
        Assert.Equal(id, (await scenario.RequestAsync(request.GetProperty("id").GetString()!)).GetProperty("resultConnection").GetString());
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal("Bearer access-1", scenario.Inner.Api.Requests.Last().Header("Authorization"));
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Forged_and_truncated_tokens_answer_404_and_start_nothing()
    {
        await using var scenario = await StartAsync();
        var link = LinkScenario.PathOf(await scenario.CreateAsync());
        var token = link["/connect/".Length..];
        var forged = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        using var browser = scenario.Browser();

        var answers = new List<HttpResponseMessage>
        {
            await browser.GetAsync($"/connect/{forged}"),
            await browser.GetAsync($"/connect/{token[..^1]}"),
            await browser.GetAsync($"/connect/{token}A"),
            await browser.GetAsync($"/connect/{new string('A', 43)}"),
            await browser.GetAsync("/connect/not-a-token"),
            await browser.PostFormAsync($"/connect/{forged}"),
        };

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NotFound, a.StatusCode));
        foreach (var answer in answers)
        {
            var body = await answer.Content.ReadAsStringAsync();
            Assert.DoesNotContain(token, body, StringComparison.Ordinal);
            Assert.DoesNotContain("Acme Co", body, StringComparison.Ordinal);
            answer.Dispose();
        }

        Assert.Empty(await scenario.ConnectionsAsync());
        Assert.Equal("outstanding", (await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests"))[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_post_from_another_site_starts_nothing()
    {
        await using var scenario = await StartAsync();
        var link = LinkScenario.PathOf(await scenario.CreateAsync());
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = scenario.Proxy.Address };

        using var crossSite = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, link)
        {
            Content = new FormUrlEncodedContent([]),
            Headers = { { "Sec-Fetch-Site", "cross-site" } },
        });
        using var otherOrigin = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, link)
        {
            Content = new FormUrlEncodedContent([]),
            Headers = { { "Origin", "http://evil.test" } },
        });

        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherOrigin.StatusCode);
        Assert.Empty(await scenario.ConnectionsAsync());
    }

    [Fact]
    public async Task A_form_that_cannot_be_read_answers_400_and_starts_nothing()
    {
        await using var scenario = await StartAsync();
        var link = LinkScenario.PathOf(await scenario.CreateAsync());
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = scenario.Proxy.Address };
        var tooManyFields = new FormUrlEncodedContent(Enumerable.Range(0, 1025).Select(i => KeyValuePair.Create($"f{i}", "x")));
        var noBoundary = new ByteArrayContent("--x\r\n"u8.ToArray());
        noBoundary.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");

        using var many = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, link)
        {
            Content = tooManyFields,
            Headers = { { "Sec-Fetch-Site", "same-origin" } },
        });
        using var multipart = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, link)
        {
            Content = noBoundary,
            Headers = { { "Sec-Fetch-Site", "same-origin" } },
        });
        using var page = await client.GetAsync(link);

        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
        Assert.Contains("The form could not be read", await many.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, multipart.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode); // the link is still unused
        Assert.Empty(await scenario.ConnectionsAsync());
        Assert.DoesNotContain("Exception", scenario.Proxy.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_given_value_the_request_leaves_open_is_asked_on_the_links_page()
    {
        await using var scenario = await StartAsync(OAuth.GivenValueConnectTests.TemplatedSubdomain);
        var link = LinkScenario.PathOf(await scenario.CreateAsync());
        using var browser = scenario.Browser();

        using var page = await browser.GetAsync(link);
        var html = await page.Content.ReadAsStringAsync();
        using var refused = await browser.PostFormAsync(link, ("subdomain", "evil.test/x"));
        using var connect = await browser.PostFormAsync(link, ("subdomain", "127"));

        Assert.Contains("Acme subdomain", html, StringComparison.Ordinal);
        Assert.Contains("name=\"subdomain\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("name=\"subdomain\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, connect.StatusCode);
        Assert.StartsWith("http://127.0.0.1:", connect.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }
}
