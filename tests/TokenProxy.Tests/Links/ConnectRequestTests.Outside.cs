using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Links;

/// <summary>
/// Connect requests as an agency and an attacker use them from outside: a link never takes over a connection the request
/// did not name, two people answering two requests keep two accounts, and the link's address answers only its own methods.
/// </summary>
public abstract partial class ConnectRequestTests
{
    [Fact]
    public async Task A_request_for_a_label_in_use_is_refused_instead_of_silently_taking_over_that_connection()
    {
        await using var scenario = await StartAsync();
        using var imported = await scenario.Admin.PostAsJsonAsync("/admin/api/connections", new
        {
            provider = "acme", label = "crm", workspace = "acme-co", accessToken = "old-access", refreshToken = "old-refresh",
        });
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);

        // No "connection": the operator asked for a new connection, not a reconnect of the existing "crm" (README, Connect
        // requests by link: reconnecting is what "connection" names; labels are unique per provider, workspace and end user).
        using var created = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme", label = "crm" });
        if (created.StatusCode == HttpStatusCode.Created)
        {
            var link = LinkScenario.PathOf(await created.Content.ReadFromJsonAsync<JsonElement>());
            using var browser = scenario.Browser();
            var state = await LinkScenario.StartAsync(browser, link);
            using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));
        }

        using var call = await scenario.Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/acme/items")
        {
            Headers = { { "TokenProxy-Workspace", "acme-co" }, { "TokenProxy-Connection", "crm" } },
        });

        Assert.True(
            created.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict,
            $"A connect request for the label of an existing connection was accepted ({(int)created.StatusCode}).");
        Assert.Equal("Bearer old-access", scenario.Inner.Api.Requests.Last().Header("Authorization"));
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
    }

    [Fact]
    public async Task Two_requests_answered_by_two_people_do_not_complete_into_one_connection_overwriting_the_first()
    {
        // Two outstanding requests for one label in one scope are refused when the second is made (label_requested), and
        // a label connected since is refused too (label_taken): no second person can be sent a link into the first one's
        // connection. The race at the callback is covered by A_link_never_fills_a_connection_another_connect_filled_meanwhile.
        await using var scenario = await StartAsync();
        var first = await scenario.CreateAsync();
        using var second = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme" });
        using var ada = scenario.Browser();
        var adaState = await LinkScenario.StartAsync(ada, LinkScenario.PathOf(first));
        using var adaDone = await ada.CallbackAsync("acme", ("code", "code-1"), ("state", adaState));
        using var third = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme" });

        var firstAfter = await scenario.RequestAsync(first.GetProperty("id").GetString()!);

        Assert.Equal(HttpStatusCode.SeeOther, adaDone.StatusCode);
        await Problems.AssertProblemAsync(second, HttpStatusCode.Conflict, "label_requested");
        await Problems.AssertProblemAsync(third, HttpStatusCode.Conflict, "label_taken");
        Assert.Equal("completed", firstAfter.GetProperty("status").GetString());
        Assert.Single(await scenario.ConnectionsAsync());
    }

    [Theory]
    [InlineData("OPTIONS")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Other_methods_on_a_link_answer_405_not_the_data_planes_unknown_provider(string method)
    {
        await using var scenario = await StartAsync();
        var link = LinkScenario.PathOf(await scenario.CreateAsync());
        using var browser = scenario.Browser();

        using var answer = await browser.SendAsync(new HttpRequestMessage(new HttpMethod(method), link));
        var body = await answer.Content.ReadAsStringAsync();

        Assert.DoesNotContain("No provider named 'connect'", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, answer.StatusCode);
        Assert.Equal("outstanding", (await scenario.RequestAsync((await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests"))[0].GetProperty("id").GetString()!)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ExpiresIn_given_as_a_string_is_refused_like_any_other_non_number()
    {
        await using var scenario = await StartAsync();

        using var quoted = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme", expiresIn = "60" });

        await Problems.AssertProblemAsync(quoted, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task A_misspelt_key_is_refused_under_its_name_with_the_field_it_is_near_and_no_link_is_made()
    {
        // Dropped, "expires_in": 60 would have made a link that lives a week.
        await using var scenario = await StartAsync();

        using var misspelt = await scenario.Admin.PostAsJsonAsync(
            "/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme", mesage = "hello", expires_in = 60, endUser = new { id = "erin", display_name = "Erin" } });
        using var caseAside = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme", EXPIRESIN = 60 });
        using var twice = await scenario.Admin.PostAsync(
            "/admin/api/connect-requests", new StringContent("""{"workspace":"acme-co","provider":"acme","label":"l5","Label":"l6"}""", System.Text.Encoding.UTF8, "application/json"));
        var listed = await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests");

        var errors = (await Problems.AssertProblemAsync(misspelt, HttpStatusCode.BadRequest, "invalid_request")).GetProperty("errors");
        Assert.Equal(["mesage", "expires_in", "endUser.display_name"], errors.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("mesage: not a field of a connect request (did you mean message?)", errors.GetProperty("mesage")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("expires_in: not a field of a connect request (did you mean expiresIn?)", errors.GetProperty("expires_in")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("endUser.display_name: not a field of endUser (did you mean displayName?)", errors.GetProperty("endUser.display_name")[0].GetString(), StringComparison.Ordinal);
        await Problems.AssertProblemAsync(twice, HttpStatusCode.BadRequest, "invalid_json");
        Assert.Equal(HttpStatusCode.Created, caseAside.StatusCode);
        var created = await caseAside.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(60, (created.GetProperty("expiresAt").GetDateTimeOffset() - created.GetProperty("createdAt").GetDateTimeOffset()).TotalSeconds);
        Assert.Equal(1, listed.GetArrayLength());
    }

    [Fact]
    public async Task A_failed_exchange_tells_the_person_with_the_link_to_open_it_again_not_to_use_the_admin_connections_page()
    {
        await using var scenario = await StartAsync();
        var request = await scenario.CreateAsync();
        var link = LinkScenario.PathOf(request);
        using var browser = scenario.Browser();
        var state = await LinkScenario.StartAsync(browser, link);
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant" });

        using var callback = await browser.CallbackAsync("acme", ("code", "code-1"), ("state", state));
        var page = await callback.Content.ReadAsStringAsync();
        using var reopened = await browser.GetAsync(link);

        // The person holding a link has no admin access (README, Connect requests by link): the admin connections page is
        // not somewhere they can start again; the link still works (a failed exchange does not use it up).
        Assert.Equal(HttpStatusCode.OK, reopened.StatusCode);
        Assert.Equal("outstanding", (await scenario.RequestAsync(request.GetProperty("id").GetString()!)).GetProperty("status").GetString());
        Assert.DoesNotContain("connections page", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"/admin/connections", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_workspace_ends_its_outstanding_requests_so_a_new_workspace_of_that_id_does_not_revive_their_links()
    {
        await using var scenario = await StartAsync();
        using var old = await scenario.Admin.PostAsJsonAsync("/admin/api/workspaces", new { id = "old-co", displayName = "Old Co" });
        var request = await scenario.CreateAsync(new { workspace = "old-co", provider = "acme" });
        var id = request.GetProperty("id").GetString()!;
        var link = LinkScenario.PathOf(request);
        using var deleted = await scenario.Admin.DeleteAsync("/admin/api/workspaces/old-co");
        var afterDelete = await scenario.RequestAsync(id);
        using var recreated = await scenario.Admin.PostAsJsonAsync("/admin/api/workspaces", new { id = "old-co", displayName = "Another Client" });
        using var browser = scenario.Browser();

        using var page = await browser.GetAsync(link);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Created, recreated.StatusCode);
        Assert.NotEqual("outstanding", afterDelete.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.DoesNotContain("Another Client", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_to_reconnect_a_connection_deleted_since_answers_410_instead_of_offering_a_connect_that_fails()
    {
        await using var scenario = await StartAsync();
        using var imported = await scenario.Admin.PostAsJsonAsync("/admin/api/connections", new
        {
            provider = "acme", label = "crm", workspace = "acme-co", accessToken = "old-access", refreshToken = "old-refresh",
        });
        var id = (await imported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var request = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", connection = id });
        var link = LinkScenario.PathOf(request);
        using var deleted = await scenario.Admin.DeleteAsync($"/admin/api/connections/{id}");
        using var browser = scenario.Browser();

        using var page = await browser.GetAsync(link);
        using var connect = await browser.PostFormAsync(link);
        var html = await page.Content.ReadAsStringAsync();

        // Like a used, cancelled or expired link (README, Connect requests by link): a plain page saying it cannot be used,
        // not a Connect button whose press answers "Connection not found" with the connection's id.
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, connect.StatusCode);
        Assert.DoesNotContain(id!, await connect.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("<form", html, StringComparison.Ordinal);
    }
}
