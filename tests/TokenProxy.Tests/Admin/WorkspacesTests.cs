using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Admin;

/// <summary>
/// Workspaces and end users (docs/architecture.md §2), run against each store (SQLite, PostgreSQL): the workspaces API,
/// labels unique per provider, workspace and end user, the filters and the end user reset, and the data plane choosing a
/// connection by <c>TokenProxy-Workspace</c> and <c>TokenProxy-End-User</c>.
/// </summary>
public abstract class WorkspacesTests : IAsyncLifetime
{
    private RefreshScenario _scenario = null!;

    private HttpClient Client => _scenario.Proxy.Client;

    public async Task InitializeAsync()
    {
        var store = await StoreSettingsAsync();
        _scenario = await RefreshScenario.StartAsync(settings =>
        {
            foreach (var (key, value) in store)
            {
                settings[key] = value;
            }
        });
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await TearDownAsync();
    }

    /// <summary>The settings that put the proxy on the store under test.</summary>
    private protected abstract Task<Dictionary<string, string?>> StoreSettingsAsync();

    private protected abstract Task TearDownAsync();

    /// <summary>Takes the stopped proxy's database back to the schema before workspaces, then runs <paramref name="then"/> on it.</summary>
    private protected abstract Task DowngradeToBeforeWorkspacesAsync(ProxyHost stopped, string then);

    [Fact]
    public async Task Connections_stored_before_workspaces_keep_serving_in_no_workspace_after_the_upgrade()
    {
        var plain = await ImportAsync("default", workspace: null, endUser: null, access: "access-old");
        var named = await ImportAsync("reports", workspace: null, endUser: null, access: "access-named");
        await _scenario.StopAsync();
        // The release before kept whatever workspace name an import gave, with no workspaces table.
        await DowngradeToBeforeWorkspacesAsync(_scenario.Proxy, $"UPDATE connections SET workspace = 'legacy' WHERE id = '{named}';");

        await _scenario.RestartAsync();
        using var response = await DataAsync(workspace: null, endUser: null);
        var sent = _scenario.Api.Requests.Last().Header("Authorization");
        using var inLegacy = await DataAsync("legacy", endUser: null, connection: "reports");
        var connection = await Client.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{plain}");
        var legacy = await Client.GetFromJsonAsync<JsonElement>("/admin/api/workspaces/legacy");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer access-old", sent);
        Assert.Equal(HttpStatusCode.OK, inLegacy.StatusCode);
        Assert.Equal("Bearer access-named", _scenario.Api.Requests.Last().Header("Authorization"));
        Assert.Equal(JsonValueKind.Null, connection.GetProperty("workspace").ValueKind);
        Assert.Equal(JsonValueKind.Null, connection.GetProperty("endUser").ValueKind);
        Assert.Equal(1, legacy.GetProperty("connections").GetInt32());
        await ImportAsync("default", "legacy", endUser: null);
    }

    [Fact]
    public async Task A_workspace_is_created_listed_read_and_deleted()
    {
        using var created = await SendAsync(HttpMethod.Post, "/admin/api/workspaces", new { id = "acme-co", displayName = "Acme Co" });
        var listed = await Client.GetFromJsonAsync<JsonElement>("/admin/api/workspaces");
        var read = await Client.GetFromJsonAsync<JsonElement>("/admin/api/workspaces/acme-co");
        using var deleted = await SendAsync(HttpMethod.Delete, "/admin/api/workspaces/acme-co");
        using var gone = await Client.GetAsync("/admin/api/workspaces/acme-co");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/admin/api/workspaces/acme-co", created.Headers.Location?.OriginalString);
        Assert.Equal("Acme Co", Assert.Single(listed.EnumerateArray()).GetProperty("displayName").GetString());
        Assert.Equal("acme-co", read.GetProperty("id").GetString());
        Assert.Equal(0, read.GetProperty("connections").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Problems.AssertProblemAsync(gone, HttpStatusCode.NotFound, "workspace_not_found");
    }

    [Fact]
    public async Task A_workspace_id_is_a_short_slug_and_taken_only_once()
    {
        await CreateWorkspaceAsync("acme-co");

        using var duplicate = await SendAsync(HttpMethod.Post, "/admin/api/workspaces", new { id = "acme-co", displayName = "Again" });
        using var spaces = await SendAsync(HttpMethod.Post, "/admin/api/workspaces", new { id = "acme co" });
        using var tooLong = await SendAsync(HttpMethod.Post, "/admin/api/workspaces", new { id = new string('a', 65) });
        using var missing = await SendAsync(HttpMethod.Post, "/admin/api/workspaces", new { displayName = "No id" });
        using var misspelt = await SendAsync(HttpMethod.Post, "/admin/api/workspaces", new { id = "globex", display_name = "Globex Corporation" });
        using var notCreated = await Client.GetAsync("/admin/api/workspaces/globex");
        using var twice = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/admin/api/workspaces")
        {
            Content = new StringContent("""{"id":"ws3","Id":"ws4"}""", System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "TokenProxy-Csrf", "1" } },
        });

        await Problems.AssertProblemAsync(duplicate, HttpStatusCode.Conflict, "workspace_exists");
        foreach (var invalid in new[] { spaces, tooLong, missing })
        {
            var problem = await Problems.AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "invalid_request");
            Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _));
        }

        // Dropped, the display name would silently have been the id.
        var unread = await Problems.AssertProblemAsync(misspelt, HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(
            "display_name: not a field of a workspace (did you mean displayName?)", unread.GetProperty("errors").GetProperty("display_name")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, notCreated.StatusCode);
        // Names are matched case aside, so "id" and "Id" name one field twice: which was meant is not guessed.
        await Problems.AssertProblemAsync(twice, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task A_workspace_holding_connections_is_deleted_only_with_force_which_revokes_them_at_the_provider()
    {
        await CreateWorkspaceAsync("acme-co");
        var inside = await ImportAsync("default", "acme-co", endUser: null, access: "access-in", refresh: "refresh-in");
        var outside = await ImportAsync("default", workspace: null, endUser: null, access: "access-out", refresh: "refresh-out");

        using var refused = await SendAsync(HttpMethod.Delete, "/admin/api/workspaces/acme-co");
        var kept = await Client.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{inside}");
        using var forced = await SendAsync(HttpMethod.Delete, "/admin/api/workspaces/acme-co?force=true");
        using var connection = await Client.GetAsync($"/admin/api/connections/{inside}");
        using var workspace = await Client.GetAsync("/admin/api/workspaces/acme-co");

        var problem = await Problems.AssertProblemAsync(refused, HttpStatusCode.Conflict, "workspace_not_empty");
        Assert.Equal(1, problem.GetProperty("connections").GetInt32());
        Assert.Equal("active", kept.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, forced.StatusCode);
        Assert.Equal(
            [("refresh-in", "refresh_token"), ("access-in", "access_token")],
            _scenario.Authorization.Revocations.Select(f => (f["token"], f["token_type_hint"])));
        await Problems.AssertProblemAsync(connection, HttpStatusCode.NotFound, "connection_not_found");
        await Problems.AssertProblemAsync(workspace, HttpStatusCode.NotFound, "workspace_not_found");
        Assert.Equal("active", (await Client.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{outside}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_label_is_unique_per_provider_workspace_and_end_user()
    {
        await CreateWorkspaceAsync("acme-co");
        await CreateWorkspaceAsync("globex");

        // The same label in no workspace, in each workspace, and for each end user of one: all distinct connections.
        await ImportAsync("default", workspace: null, endUser: null);
        await ImportAsync("default", "acme-co", endUser: null);
        await ImportAsync("default", "globex", endUser: null);
        await ImportAsync("default", "acme-co", "alice");
        await ImportAsync("default", "acme-co", "bob");
        using var again = await SendAsync(HttpMethod.Post, "/admin/api/connections", Import("default", "acme-co", "alice", "access-again"));
        using var againInNone = await SendAsync(HttpMethod.Post, "/admin/api/connections", Import("default", null, null, "access-again"));

        await Problems.AssertProblemAsync(again, HttpStatusCode.Conflict, "label_taken");
        await Problems.AssertProblemAsync(againInNone, HttpStatusCode.Conflict, "label_taken");
        Assert.Equal(5, (await Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).GetArrayLength());
    }

    [Fact]
    public async Task Importing_into_a_workspace_that_does_not_exist_is_refused()
    {
        using var response = await SendAsync(HttpMethod.Post, "/admin/api/connections", Import("default", "acme-typo", null, "access-x"));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("acme-typo", problem.GetProperty("errors").GetProperty("workspace")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).GetArrayLength());
    }

    [Fact]
    public async Task The_connection_json_carries_its_workspace_and_end_user_and_the_list_filters_by_both()
    {
        await CreateWorkspaceAsync("acme-co");
        var alice = await ImportAsync("default", "acme-co", "alice");
        await ImportAsync("default", "acme-co", "bob");
        await ImportAsync("default", workspace: null, endUser: null);

        var all = await Client.GetFromJsonAsync<JsonElement>("/admin/api/connections");
        var inWorkspace = await Client.GetFromJsonAsync<JsonElement>("/admin/api/connections?workspace=acme-co");
        var ofAlice = await Client.GetFromJsonAsync<JsonElement>("/admin/api/connections?workspace=acme-co&endUser=alice");
        var page = await Client.GetStringAsync("/admin/connections?workspace=acme-co&endUser=alice");

        Assert.Equal(3, all.GetArrayLength());
        Assert.Equal(2, inWorkspace.GetArrayLength());
        var only = Assert.Single(ofAlice.EnumerateArray());
        Assert.Equal(alice, only.GetProperty("id").GetString());
        Assert.Equal("acme-co", only.GetProperty("workspace").GetString());
        Assert.Equal("alice", only.GetProperty("endUser").GetProperty("id").GetString());
        Assert.Equal("Alice Example", only.GetProperty("endUser").GetProperty("displayName").GetString());
        Assert.Equal("alice@example.com", only.GetProperty("endUser").GetProperty("email").GetString());
        Assert.Equal("operator", only.GetProperty("origin").GetString());
        Assert.Contains($"data-connection=\"{alice}\"", page, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, "data-connection="));
        Assert.Contains("data-action=\"reset-end-user\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resetting_an_end_user_revokes_each_of_their_connections_at_the_provider_then_deletes_them()
    {
        await CreateWorkspaceAsync("acme-co");
        var alice = await ImportAsync("default", "acme-co", "alice", access: "access-alice", refresh: "refresh-alice");
        var bob = await ImportAsync("default", "acme-co", "bob", access: "access-bob", refresh: "refresh-bob");
        var team = await ImportAsync("default", "acme-co", endUser: null, access: "access-team", refresh: "refresh-team");

        using var withoutEndUser = await SendAsync(HttpMethod.Delete, "/admin/api/connections?workspace=acme-co");
        using var withoutWorkspace = await SendAsync(HttpMethod.Delete, "/admin/api/connections?endUser=alice");
        using var withoutCsrf = await Client.DeleteAsync("/admin/api/connections?workspace=acme-co&endUser=alice");
        using var reset = await SendAsync(HttpMethod.Delete, "/admin/api/connections?workspace=acme-co&endUser=alice");
        var body = await reset.Content.ReadFromJsonAsync<JsonElement>();

        await Problems.AssertProblemAsync(withoutEndUser, HttpStatusCode.BadRequest, "filters_required");
        await Problems.AssertProblemAsync(withoutWorkspace, HttpStatusCode.BadRequest, "filters_required");
        await Problems.AssertProblemAsync(withoutCsrf, HttpStatusCode.Forbidden, "csrf_required");
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(alice, Assert.Single(body.GetProperty("deleted").EnumerateArray()).GetString());
        Assert.Equal(
            [("refresh-alice", "refresh_token"), ("access-alice", "access_token")],
            _scenario.Authorization.Revocations.Select(f => (f["token"], f["token_type_hint"])));
        using var aliceNow = await Client.GetAsync($"/admin/api/connections/{alice}");
        await Problems.AssertProblemAsync(aliceNow, HttpStatusCode.NotFound, "connection_not_found");
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/admin/api/connections/{bob}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/admin/api/connections/{team}")).StatusCode);
    }

    [Fact]
    public async Task Requests_choose_the_connection_of_the_workspace_and_end_user_they_name_and_the_headers_stay_here()
    {
        await CreateWorkspaceAsync("acme-co");
        await ImportAsync("default", workspace: null, endUser: null, access: "access-none");
        await ImportAsync("default", "acme-co", endUser: null, access: "access-team");
        await ImportAsync("default", "acme-co", "alice", access: "access-alice");

        string? Sent() => _scenario.Api.Requests.Last().Header("Authorization");
        using var none = await DataAsync(null, null);
        var sentNone = Sent();
        using var team = await DataAsync("acme-co", null);
        var sentTeam = Sent();
        using var alice = await DataAsync("acme-co", "alice");
        var sentAlice = Sent();

        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Equal(HttpStatusCode.OK, team.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
        Assert.Equal(new[] { "Bearer access-none", "Bearer access-team", "Bearer access-alice" }, new[] { sentNone, sentTeam, sentAlice });
        Assert.All(_scenario.Api.Requests, r =>
        {
            Assert.Null(r.Header("TokenProxy-Workspace"));
            Assert.Null(r.Header("TokenProxy-End-User"));
        });
    }

    [Fact]
    public async Task A_connection_of_an_end_user_is_not_chosen_for_a_request_that_does_not_name_them()
    {
        await CreateWorkspaceAsync("acme-co");
        var alice = await ImportAsync("default", "acme-co", "alice", access: "access-alice");

        using var byLabel = await DataAsync("acme-co", null);
        using var byId = await DataAsync("acme-co", null, connection: alice);
        using var otherEndUser = await DataAsync("acme-co", "bob", connection: alice);

        var problem = await Problems.AssertProblemAsync(byLabel, HttpStatusCode.Unauthorized, "not_connected");
        await Problems.AssertProblemAsync(byId, HttpStatusCode.Unauthorized, "not_connected");
        await Problems.AssertProblemAsync(otherEndUser, HttpStatusCode.Unauthorized, "not_connected");
        Assert.Empty(_scenario.Api.Requests);
        Assert.EndsWith("/admin/connect/acme?workspace=acme-co", problem.GetProperty("connect_url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_connected_answers_a_connect_url_with_the_workspace_and_end_user()
    {
        await CreateWorkspaceAsync("acme-co");

        using var response = await DataAsync("acme-co", "alice@example.com", connection: "work");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_connected");
        var connectUrl = new Uri(problem.GetProperty("connect_url").GetString()!);
        Assert.Equal("/admin/connect/acme", connectUrl.AbsolutePath);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(connectUrl.Query);
        Assert.Equal("work", query["label"]);
        Assert.Equal("acme-co", query["workspace"]);
        Assert.Equal("alice@example.com", query["endUser"]);
    }

    private async Task CreateWorkspaceAsync(string id)
    {
        using var response = await SendAsync(HttpMethod.Post, "/admin/api/workspaces", new { id, displayName = id });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<string> ImportAsync(string label, string? workspace, string? endUser, string access = "access-x", string? refresh = null)
    {
        using var response = await SendAsync(HttpMethod.Post, "/admin/api/connections", Import(label, workspace, endUser, access, refresh));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static object Import(string label, string? workspace, string? endUser, string access, string? refresh = null) => new
    {
        provider = "acme",
        label,
        workspace,
        endUser = endUser is null ? null : new { id = endUser, displayName = "Alice Example", email = "alice@example.com" },
        accessToken = access,
        refreshToken = refresh,
        expiresIn = refresh is null ? (long?)null : 3600,
    };

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? json = null)
    {
        using var request = ProxyHost.AdminRequest(method, path, json);
        return await Client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> DataAsync(string? workspace, string? endUser, string? connection = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/things");
        if (workspace is not null)
        {
            request.Headers.Add("TokenProxy-Workspace", workspace);
        }

        if (endUser is not null)
        {
            request.Headers.Add("TokenProxy-End-User", endUser);
        }

        if (connection is not null)
        {
            request.Headers.Add("TokenProxy-Connection", connection);
        }

        return await Client.SendAsync(request);
    }
}
