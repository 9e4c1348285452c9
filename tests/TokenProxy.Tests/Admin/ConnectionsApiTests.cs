using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Admin;

public sealed class ConnectionsApiTests : IAsyncLifetime
{
    private ProxyHost _proxy = null!;

    public async Task InitializeAsync() =>
        _proxy = await ProxyHost.StartAsync(ProxyHost.Provider("acme", new Uri("https://api.acme.example/")));

    public Task DisposeAsync() => _proxy.DisposeAsync().AsTask();

    [Fact]
    public async Task Imported_connection_is_listed_and_shown_without_any_token_value()
    {
        var access = Canary.New("access");
        var refresh = Canary.New("refresh");

        var created = await _proxy.ImportAsync("acme", access, label: "work", refreshToken: refresh, expiresIn: 3600);
        var id = created.GetProperty("id").GetString()!;
        var list = await _proxy.Client.GetStringAsync("/admin/api/connections");
        var one = await _proxy.Client.GetStringAsync($"/admin/api/connections/{id}");

        Assert.StartsWith("conn_", id, StringComparison.Ordinal);
        Assert.Equal("acme", created.GetProperty("provider").GetString());
        Assert.Equal("work", created.GetProperty("label").GetString());
        Assert.Equal("active", created.GetProperty("status").GetString());
        // acme has no ClientId here, so a refresh would be refused: the connection says so.
        Assert.False(created.GetProperty("canRefresh").GetBoolean());
        Assert.True(created.TryGetProperty("expiresAt", out _));
        var listed = Assert.Single(JsonDocument.Parse(list).RootElement.EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetString());
        foreach (var body in new[] { created.GetRawText(), list, one })
        {
            Canary.AssertAbsent(access, body, "admin JSON");
            Canary.AssertAbsent(refresh, body, "admin JSON");
        }

        Canary.AssertAbsent(access, _proxy.Logs.All, "logs");
        Canary.AssertAbsent(refresh, _proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task Invalid_import_lists_every_problem_and_stores_nothing()
    {
        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "nosuch", label = "bad label!", accessToken = "has\r\nnewline", expiresIn = -5 }));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("provider", out _));
        Assert.True(errors.TryGetProperty("label", out _));
        Assert.True(errors.TryGetProperty("accessToken", out _));
        Assert.True(errors.TryGetProperty("expiresIn", out _));
        Assert.DoesNotContain("newline", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("[]", await _proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Theory]
    [InlineData("apikey")]
    [InlineData("basic")]
    [InlineData("oauth2")]
    [InlineData("clientcredentials")]
    [InlineData("nosuch")]
    public async Task A_credential_kind_the_fields_do_not_make_is_refused_naming_it(string kind)
    {
        // An access token without a refresh token is a bearer token: any other kind named beside it is a mistake to report,
        // not to ignore, and an unknown one too.
        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", accessToken = "abc", credentialKind = kind }));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(problem.GetProperty("errors").TryGetProperty("credentialKind", out _), problem.GetRawText());
        Assert.Equal("[]", await _proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Fact]
    public async Task A_credential_kind_that_agrees_with_the_fields_is_accepted()
    {
        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", accessToken = "abc", credentialKind = "bearer" }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"provider":"acme","apiKey":5}""", "apiKey")]
    [InlineData("""{"provider":"acme","accessToken":"abc","expiresIn":"3600"}""", "expiresIn")]
    public async Task A_wrongly_typed_field_is_named_and_answered_with_every_field_an_import_accepts(string json, string field)
    {
        using var request = ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections");
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await _proxy.Client.SendAsync(request);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        var detail = problem.GetProperty("errors").GetProperty(field)[0].GetString();
        Assert.StartsWith($"{field}: a value of the wrong type.", detail, StringComparison.Ordinal);
        Assert.All(["accessToken", "apiKey", "username", "password", "parameters", "credentialKind"], field => Assert.Contains(field, detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_answer_pasted_as_is_is_refused_naming_each_field_it_meant_and_nothing_is_stored()
    {
        using var request = ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections");
        request.Content = new StringContent(
            """{"provider":"acme","access_token":"pasted-access","refresh_token":"pasted-refresh","expires_in":3600,"token_type":"Bearer","lable":"ops"}""",
            System.Text.Encoding.UTF8, "application/json");

        using var response = await _proxy.Client.SendAsync(request);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        var errors = problem.GetProperty("errors");
        Assert.Equal(["access_token", "refresh_token", "expires_in", "token_type", "lable"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains("(did you mean refreshToken?)", errors.GetProperty("refresh_token")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("(did you mean expiresIn?)", errors.GetProperty("expires_in")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("not a field of an import;", errors.GetProperty("token_type")[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pasted-", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("[]", await _proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Fact]
    public async Task A_token_over_the_length_limit_is_refused_saying_so_with_its_length_never_its_value()
    {
        var token = Canary.New("long") + new string('a', 20_000);
        var length = token.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", accessToken = token, refreshToken = token }));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        var errors = problem.GetProperty("errors");
        Assert.Contains($"at most 16,384 characters (this one has {length})", errors.GetProperty("accessToken")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains($"at most 16,384 characters (this one has {length})", errors.GetProperty("refreshToken")[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token[..40], problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("[]", await _proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Fact]
    public async Task A_field_the_end_user_does_not_have_is_refused_under_its_path_not_dropped()
    {
        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", accessToken = "abc", endUser = new { id = "carol", display_name = "Carol", mail = "carol@example.com" } }));

        var errors = (await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request")).GetProperty("errors");
        Assert.Equal(["endUser.display_name", "endUser.mail"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains("(did you mean displayName?)", errors.GetProperty("endUser.display_name")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("[]", await _proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Fact]
    public async Task An_admin_path_that_names_nothing_is_the_admin_surfaces_own_404()
    {
        using var page = await _proxy.Client.GetAsync("/admin/nosuch");
        using var api = await _proxy.Client.GetAsync("/admin/api/nosuch");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.False(page.Headers.Contains("TokenProxy-Error"));
        await Problems.AssertProblemAsync(api, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Lifetime_beyond_ten_years_is_refused_not_a_crash()
    {
        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", accessToken = "abc", expiresIn = long.MaxValue / 2 }));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(problem.GetProperty("errors").TryGetProperty("expiresIn", out _));
    }

    [Theory]
    [InlineData("""{"provider":"acme","accessToken":"first-token","accessToken":"second-token"}""")]
    [InlineData("""{"provider":"acme","label":"ops","accessToken":"first-token","LABEL":"billing"}""")]
    public async Task A_key_given_twice_is_refused_rather_than_the_last_one_taken(string json)
    {
        using var request = ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections");
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await _proxy.Client.SendAsync(request);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_json");
        Assert.Contains("a key twice", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("-token", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("[]", await _proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("null")]
    [InlineData("[]")]
    public async Task Malformed_json_gets_a_problem_answer(string json)
    {
        using var request = ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections");
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await _proxy.Client.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Import_that_is_not_json_is_a_415_problem_not_the_data_planes_404(string? contentType)
    {
        using var request = ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections");
        request.Content = new StringContent("""{"provider":"acme","accessToken":"abc"}""");
        request.Content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);

        using var response = await _proxy.Client.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Equal("[]", await _proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Theory]
    [InlineData("label")]
    [InlineData("workspace")]
    public async Task Label_or_workspace_with_a_trailing_newline_is_refused(string field)
    {
        await _proxy.ImportAsync("acme", "abc");
        var body = new Dictionary<string, object?> { ["provider"] = "acme", ["accessToken"] = "abc", [field] = "default\n" };

        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", body));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Single(JsonDocument.Parse(await _proxy.Client.GetStringAsync("/admin/api/connections")).RootElement.EnumerateArray());
    }

    public static TheoryData<string?[], string> BadScopes => new()
    {
        { [null], "null" },
        { [new string('a', 1024 * 1024)], "at most 256" },
        { Enumerable.Range(0, 100_000).Select(i => (string?)$"s{i}").ToArray(), "At most 100 scopes" },
        { ["read write"], "character" },
        { ["read\"quoted\""], "character" },
        { ["caf\u00e9"], "character" },
        { [""], "empty" },
    };

    [Theory]
    [MemberData(nameof(BadScopes))]
    public async Task Scopes_outside_the_rfc_6749_syntax_or_bounds_are_refused_with_the_reason(string?[] scopes, string reason)
    {
        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", accessToken = "abc", scopes }));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("scopes").EnumerateArray()).GetString()!;
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.True(message.Length < 200);
        Assert.Equal("[]", await _proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Fact]
    public async Task Scopes_of_real_providers_are_accepted()
    {
        string[] scopes = ["read:user", "repo", "https://www.googleapis.com/auth/drive.readonly", "offline_access", "channels:history", "a!#$%&'()*+,-./[]^_`{|}~"];

        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", accessToken = "abc", scopes }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(scopes, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Second_connection_with_the_same_label_is_a_conflict()
    {
        await _proxy.ImportAsync("acme", Canary.New("a"));

        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", accessToken = Canary.New("b") }));

        await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "label_taken");
    }

    [Fact]
    public async Task State_changes_without_the_csrf_header_are_refused_and_change_nothing()
    {
        var created = await _proxy.ImportAsync("acme", Canary.New("a"));
        var id = created.GetProperty("id").GetString();

        using var post = await _proxy.Client.PostAsJsonAsync("/admin/api/connections", new { provider = "acme", label = "other", accessToken = "abc" });
        using var delete = await _proxy.Client.DeleteAsync($"/admin/api/connections/{id}");

        await Problems.AssertProblemAsync(post, HttpStatusCode.Forbidden, "csrf_required");
        await Problems.AssertProblemAsync(delete, HttpStatusCode.Forbidden, "csrf_required");
        Assert.Single(JsonDocument.Parse(await _proxy.Client.GetStringAsync("/admin/api/connections")).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task Delete_removes_the_connection_and_the_proxy_stops_using_it_at_once()
    {
        await using var scenario = await ProxyScenario.StartAsync();
        var created = await scenario.Proxy.ImportAsync("acme", Canary.New("a"));
        var id = created.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await scenario.Proxy.Client.GetAsync("/acme/x")).StatusCode);

        using var delete = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections/{id}"));
        using var after = await scenario.Proxy.Client.GetAsync("/acme/x");
        using var again = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections/{id}"));

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await Problems.AssertProblemAsync(after, HttpStatusCode.Unauthorized, "not_connected");
        await Problems.AssertProblemAsync(again, HttpStatusCode.NotFound, "connection_not_found");
        Assert.Single(scenario.Api.Requests);
    }

    [Fact]
    public async Task Admin_answers_are_never_cached()
    {
        using var response = await _proxy.Client.GetAsync("/admin/api/connections");

        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task With_an_admin_token_configured_every_admin_request_needs_it()
    {
        const string AdminToken = "0123456789abcdef-admin";
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["TokenProxy:Admin:Token"] = AdminToken });

        using var without = await proxy.Client.GetAsync("/admin/api/connections");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/admin/api/connections");
        wrong.Headers.Authorization = new("Bearer", "0123456789abcdef-wrong");
        using var wrongResponse = await proxy.Client.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/admin/api/connections");
        right.Headers.Authorization = new("Bearer", AdminToken);
        using var rightResponse = await proxy.Client.SendAsync(right);

        Assert.Equal("Admin token required.", (await Problems.AssertProblemAsync(without, HttpStatusCode.Unauthorized, "admin_unauthorized")).GetProperty("title").GetString());
        var refused = await Problems.AssertProblemAsync(wrongResponse, HttpStatusCode.Unauthorized, "admin_unauthorized");
        Assert.Equal("Admin token refused.", refused.GetProperty("title").GetString());
        Assert.Equal("The token sent as 'Authorization: Bearer <token>' is not this proxy's TokenProxy:Admin:Token.", refused.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, rightResponse.StatusCode);
        Canary.AssertAbsent(AdminToken, proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task Providers_are_listed_without_secrets()
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["TokenProxy:Providers:github:ClientId"] = "Iv1.client",
            ["TokenProxy:Providers:github:ClientSecret"] = "CANARYclientsecret0123456789abcdef",
        });

        var json = await proxy.Client.GetStringAsync("/admin/api/providers");

        var github = JsonDocument.Parse(json).RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "github");
        Assert.True(github.GetProperty("configured").GetBoolean());
        Assert.Equal("GitHub", github.GetProperty("displayName").GetString());
        Assert.Equal("http://127.0.0.1:5080/admin/connect/github", github.GetProperty("connectUrl").GetString());
        Assert.Equal("https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps", github.GetProperty("docs").GetString());
        Canary.AssertAbsent("CANARYclientsecret0123456789abcdef", json, "provider JSON");
    }
}
