using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Admin;

/// <summary>
/// Workspaces and end users at their edges, as an outside user meets them: values the admin API and the data plane
/// must refuse with a problem naming what is wrong, and the connect link of a provider connected by import.
/// </summary>
public sealed class WorkspaceEdgeTests : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;
    private CountingStore _store = null!;

    private HttpClient Client => _scenario.Proxy.Client;

    public async Task InitializeAsync()
    {
        _scenario = await ProxyScenario.StartAsync((settings, api) =>
        {
            settings["TokenProxy:Providers:keyed:ApiBaseUrl"] = api.ToString();
            settings["TokenProxy:Providers:keyed:Auth"] = "ApiKey";
            settings["TokenProxy:Providers:keyed:ApiKey:Header"] = "X-Api-Key";
        }, services: s => CountingStore.Wrap(s, created => _store = created));
        using var created = await Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "acme-co" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    [Fact]
    public async Task Not_connected_to_an_api_key_provider_answers_a_connect_url_with_the_workspace_and_end_user()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/keyed/a");
        request.Headers.Add("TokenProxy-Workspace", "acme-co");
        request.Headers.Add("TokenProxy-End-User", "alice");
        using var response = await Client.SendAsync(request);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_connected");
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(problem.GetProperty("connect_url").GetString()!).Query);
        Assert.Equal("acme-co", query.GetValueOrDefault("workspace").ToString());
        Assert.Equal("alice", query.GetValueOrDefault("endUser").ToString());
    }

    [Fact]
    public async Task The_import_form_a_not_connected_link_opens_is_filled_with_its_label_workspace_and_end_user_and_ignores_invalid_ones()
    {
        var filled = await Client.GetStringAsync("/admin/providers/keyed/import?kind=apikey&label=reports&workspace=acme-co&endUser=alice");
        var refused = await Client.GetStringAsync("/admin/providers/keyed/import?kind=apikey&label=..&workspace=..&endUser=%3Cb%3E");

        Assert.Contains("id=\"label\" name=\"label\" type=\"text\" value=\"reports\"", filled, StringComparison.Ordinal);
        Assert.Contains("id=\"workspace\" name=\"workspace\" type=\"text\" value=\"acme-co\"", filled, StringComparison.Ordinal);
        Assert.Contains("id=\"endUser\" name=\"endUser\" type=\"text\" value=\"alice\"", filled, StringComparison.Ordinal);
        Assert.Contains("id=\"label\" name=\"label\" type=\"text\" value=\"default\"", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"..\"", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("&lt;b&gt;", refused, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Acme \u202Eoc.evil")]
    [InlineData("Acme\u2028Co")]
    [InlineData("\u200B \u200B")]
    [InlineData("Acme\u200BCo")]
    [InlineData("\u3164\u3164")]
    [InlineData("Acme\U000E0041Co")]
    public async Task A_display_name_that_would_read_reversed_break_a_line_or_hide_a_character_is_refused_for_a_workspace_and_an_end_user(string name)
    {
        using var workspace = await Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "globex", displayName = name }));
        using var endUser = await Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new
        {
            provider = "keyed", apiKey = Canary.New("key"), workspace = "acme-co", endUser = new { id = "bob", displayName = name },
        }));

        var refused = await Problems.AssertProblemAsync(workspace, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("no bidirectional overrides", refused.GetRawText(), StringComparison.Ordinal);
        await Problems.AssertProblemAsync(endUser, HttpStatusCode.BadRequest, "invalid_request");
        using var workspaces = await Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Get, "/admin/api/workspaces"));
        Assert.DoesNotContain("globex", await workspaces.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_workspace_with_a_force_that_is_not_true_or_false_is_an_invalid_request_problem()
    {
        using var response = await Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/workspaces/acme-co?force=yes"));

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_workspace_body_of_the_wrong_shape_is_refused_with_a_detail_about_workspaces_not_imports()
    {
        using var response = await Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = 5 }));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_json");
        Assert.DoesNotContain("accessToken", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..", "alice")]
    [InlineData("acme-co", "al%0D%0Aice")]
    public async Task Resetting_an_end_user_named_by_a_malformed_id_is_an_invalid_request_not_an_empty_success(string workspace, string endUser)
    {
        using var response = await Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections?workspace={workspace}&endUser={endUser}"));

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Filtering_connections_by_a_malformed_workspace_is_an_invalid_request_not_an_empty_list()
    {
        using var response = await Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Get, "/admin/api/connections?workspace=.."));

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task An_import_that_checked_its_workspace_before_a_forced_delete_does_not_leave_a_connection_in_the_deleted_workspace()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.InsertsHeldUntil = release.Task;
        var import = Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "keyed", label = "late", workspace = "acme-co", apiKey = "key-late" }));
        await _store.InsertReached.Task;

        using (var deleted = await Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/workspaces/acme-co?force=true")))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        release.SetResult();
        using var imported = await import;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/keyed/a");
        request.Headers.Add("TokenProxy-Workspace", "acme-co");
        request.Headers.Add("TokenProxy-Connection", "late");
        using var response = await Client.SendAsync(request);

        Assert.NotEqual(HttpStatusCode.Created, imported.StatusCode);
        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_connected");
        Assert.Empty(_scenario.Api.Requests);
    }
}
