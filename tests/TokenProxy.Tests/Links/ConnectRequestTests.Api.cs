using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Links;

/// <summary>The admin API of connect requests: what it takes, what it refuses and how, what it lists.</summary>
public abstract partial class ConnectRequestTests
{
    [Fact]
    public async Task ExpiresIn_is_one_second_to_thirty_days_and_seven_days_when_not_given()
    {
        await using var scenario = await StartAsync();

        var byDefault = await scenario.CreateAsync();
        var shortest = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "a", expiresIn = 1 });
        var longest = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "b", expiresIn = 30 * 24 * 3600 });
        using var zero = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme", expiresIn = 0 });
        using var tooLong = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme", expiresIn = 30 * 24 * 3600 + 1 });
        using var notANumber = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "acme", expiresIn = "soon" });

        Assert.Equal(TimeSpan.FromDays(7), Lifetime(byDefault));
        Assert.Equal(TimeSpan.FromSeconds(1), Lifetime(shortest));
        Assert.Equal(TimeSpan.FromDays(30), Lifetime(longest));
        foreach (var refused in new[] { zero, tooLong })
        {
            var problem = await Problems.AssertProblemAsync(refused, HttpStatusCode.BadRequest, "invalid_request");
            Assert.True(problem.GetProperty("errors").TryGetProperty("expiresIn", out _));
        }

        await Problems.AssertProblemAsync(notANumber, HttpStatusCode.BadRequest, "invalid_json");
        Assert.Equal(3, (await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests")).GetArrayLength());

        static TimeSpan Lifetime(JsonElement request) =>
            request.GetProperty("expiresAt").GetDateTimeOffset() - request.GetProperty("createdAt").GetDateTimeOffset();
    }

    [Fact]
    public async Task A_request_is_refused_field_by_field_with_a_problem_that_says_why()
    {
        await using var scenario = await StartAsync(settings =>
        {
            settings["TokenProxy:Providers:keys:ApiBaseUrl"] = settings["TokenProxy:Providers:acme:ApiBaseUrl"];
            settings["TokenProxy:Providers:keys:Auth"] = "ApiKey";
            settings["TokenProxy:Providers:keys:ApiKey:Header"] = "X-Api-Key";
        });
        using var workspace = await scenario.Admin.PostAsJsonAsync("/admin/api/workspaces", new { id = "other-co" });
        using var elsewhere = await scenario.Admin.PostAsJsonAsync("/admin/api/connections", new { provider = "acme", workspace = "other-co", accessToken = "t-1" });
        var otherConnection = (await elsewhere.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var cases = new (object Body, string Field)[]
        {
            (new { provider = "acme" }, "workspace"),
            (new { workspace = "nobody", provider = "acme" }, "workspace"),
            (new { workspace = "acme co", provider = "acme" }, "workspace"),
            (new { workspace = "acme-co", provider = "nope" }, "provider"),
            (new { workspace = "acme-co", provider = "keys" }, "provider"),
            (new { workspace = "acme-co", provider = "acme", label = "no spaces" }, "label"),
            (new { workspace = "acme-co", provider = "acme", scopes = new[] { "a\"b" } }, "scopes"),
            (new { workspace = "acme-co", provider = "acme", endUser = new { id = "-bad" } }, "endUser.id"),
            (new { workspace = "acme-co", provider = "acme", endUser = new { id = "u-1", email = "not-an-email" } }, "endUser.email"),
            (new { workspace = "acme-co", provider = "acme", parameters = new Dictionary<string, string> { ["tenant"] = "x" } }, "parameters.tenant"),
            (new { workspace = "acme-co", provider = "acme", message = "two\nlines" }, "message"),
            (new { workspace = "acme-co", provider = "acme", message = new string('m', 1001) }, "message"),
            (new { workspace = "acme-co", provider = "acme", connection = "conn_00000000000000000000" }, "connection"),
            (new { workspace = "acme-co", provider = "acme", connection = otherConnection }, "connection"),
        };
        foreach (var (body, field) in cases)
        {
            using var response = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", body);
            var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(body)}: {problem}");
        }

        using var notJson = await scenario.Admin.PostAsync("/admin/api/connect-requests", new StringContent("workspace=acme-co"));
        using var malformed = await scenario.Admin.PostAsync("/admin/api/connect-requests", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        using var badStatus = await scenario.Admin.GetAsync("/admin/api/connect-requests?status=done");
        using var unknown = await scenario.Admin.GetAsync("/admin/api/connect-requests/creq_00000000000000000000");
        using var cancelUnknown = await scenario.Admin.DeleteAsync("/admin/api/connect-requests/creq_00000000000000000000");
        await Problems.AssertProblemAsync(notJson, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await Problems.AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "invalid_json");
        await Problems.AssertProblemAsync(badStatus, HttpStatusCode.BadRequest, "invalid_request");
        await Problems.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "connect_request_not_found");
        await Problems.AssertProblemAsync(cancelUnknown, HttpStatusCode.NotFound, "connect_request_not_found");
        Assert.Equal(0, (await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests")).GetArrayLength());
    }

    [Fact]
    public async Task A_given_value_that_puts_a_url_outside_the_providers_hosts_is_refused_at_once_not_on_the_links_page()
    {
        // "{subdomain}.0.0.1": "127" makes 127.0.0.1 (allowed), "127.0.0.2" makes a host no AllowedHosts entry names.
        await using var scenario = await StartAsync(OAuth.GivenValueConnectTests.TemplatedSubdomain);

        using var outside = await scenario.Admin.PostAsJsonAsync("/admin/api/connect-requests", new
        {
            workspace = "acme-co", provider = "acme", parameters = new Dictionary<string, string> { ["subdomain"] = "127.0.0.2" },
        });
        var allowed = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", parameters = new Dictionary<string, string> { ["subdomain"] = "127" } });

        var problem = await Problems.AssertProblemAsync(outside, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("AllowedHosts", problem.GetProperty("errors").GetProperty("parameters.subdomain")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, allowed.GetProperty("url").ValueKind);
        Assert.Equal(1, (await scenario.Admin.GetFromJsonAsync<JsonElement>("/admin/api/connect-requests")).GetArrayLength());
    }

    [Fact]
    public async Task The_api_needs_admin_access_and_the_csrf_header_and_never_shows_the_link_again()
    {
        await using var scenario = await StartAsync();
        var created = await scenario.CreateAsync();
        var id = created.GetProperty("id").GetString();
        using var anonymous = scenario.Browser();

        using var listed = await anonymous.GetAsync("/admin/api/connect-requests");
        using var withoutCsrf = new HttpClient { BaseAddress = scenario.Proxy.Address };
        withoutCsrf.DefaultRequestHeaders.Authorization = new("Bearer", LinkScenario.AdminToken);
        using var cancel = await withoutCsrf.DeleteAsync($"/admin/api/connect-requests/{id}");
        var list = await scenario.Admin.GetStringAsync("/admin/api/connect-requests?workspace=acme-co");
        var one = await scenario.Admin.GetStringAsync($"/admin/api/connect-requests/{id}");

        // PublicBaseUrl's default: the address the link is sent to people with.
        Assert.StartsWith("http://127.0.0.1:5080/connect/", created.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("creq_", id, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, listed.StatusCode);
        await Problems.AssertProblemAsync(cancel, HttpStatusCode.Forbidden, "csrf_required");
        var token = LinkScenario.PathOf(created)["/connect/".Length..];
        Assert.Equal(43, token.Length);
        Canary.AssertAbsent(token, list + one, "the list and the request's JSON");
        Assert.Contains("\"outstanding\"", one, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connections_page_of_a_workspace_lists_its_outstanding_requests_with_cancel()
    {
        await using var scenario = await StartAsync();
        var outstanding = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "crm" });
        var cancelled = await scenario.CreateAsync(new { workspace = "acme-co", provider = "acme", label = "gone" });
        using var cancel = await scenario.Admin.DeleteAsync($"/admin/api/connect-requests/{cancelled.GetProperty("id").GetString()}");

        var page = await scenario.Admin.GetStringAsync("/admin/connections?workspace=acme-co");
        var all = await scenario.Admin.GetStringAsync("/admin/connections");

        Assert.Contains("Outstanding requests", page, StringComparison.Ordinal);
        Assert.Contains($"data-connect-request=\"{outstanding.GetProperty("id").GetString()}\"", page, StringComparison.Ordinal);
        // Not in the panel (the page's recent events do name it: connect_request.cancelled).
        Assert.DoesNotContain($"data-connect-request=\"{cancelled.GetProperty("id").GetString()}\"", page, StringComparison.Ordinal);
        Assert.Contains("data-action=\"cancel-request\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Outstanding requests", all, StringComparison.Ordinal);
        Canary.AssertAbsent(LinkScenario.PathOf(outstanding)["/connect/".Length..], page, "the connections page");
    }
}
