using System.Net;
using System.Text;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

public sealed class ForwardingTests : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await ProxyScenario.StartAsync(
        (settings, api) => ProxyHost.AddProvider(settings, "gitlabish", api, tokenHeader: "PRIVATE-TOKEN: {token}"), apiPath: "/v1");

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    [Fact]
    public async Task Request_reaches_the_provider_api_with_path_query_method_body_and_the_stored_token()
    {
        var token = Canary.New("access");
        await _scenario.Proxy.ImportAsync("acme", token);

        using var request = new HttpRequestMessage(HttpMethod.Put, "/acme/items/42?expand=owner&q=a%20b")
        {
            Content = new StringContent("""{"name":"widget"}""", Encoding.UTF8, "application/json"),
        };
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"ok":true}""", await response.Content.ReadAsStringAsync());
        var seen = Assert.Single(_scenario.Api.Requests);
        Assert.Equal("PUT", seen.Method);
        Assert.Equal("/v1/items/42?expand=owner&q=a%20b", seen.PathAndQuery);
        Assert.Equal($"Bearer {token}", seen.Header("Authorization"));
        Assert.Equal("""{"name":"widget"}""", Encoding.UTF8.GetString(seen.Body));
        Assert.Equal(_scenario.Api.Address.Authority, seen.Host);
        Canary.AssertAbsent(token, _scenario.Proxy.Logs.All, "the proxy's logs");
    }

    [Theory]
    [InlineData("/acme/projects/group%2Fproject/files/a%2fb%20c.txt/raw", "/v1/projects/group%2Fproject/files/a%2Fb%20c.txt/raw")]
    [InlineData("/acme/%2F", "/v1/%2F")]
    [InlineData("/acme/a%25b/%C3%A9?q=%2F", "/v1/a%25b/%C3%A9?q=%2F")]
    public async Task Encoded_slashes_in_the_path_reach_the_api_as_the_app_sent_them(string target, string expected)
    {
        // GitLab names a project "group%2Fproject": encoding its '%' again ("%252F") would name another resource.
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));

        using var response = await _scenario.Proxy.Client.GetAsync(target);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, Assert.Single(_scenario.Api.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Apps_own_credentials_and_control_headers_are_removed_before_the_token_is_injected()
    {
        var token = Canary.New("access");
        await _scenario.Proxy.ImportAsync("acme", token);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer APP-OWN-TOKEN");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic cHJveHk6cHJveHk=");
        request.Headers.TryAddWithoutValidation("Cookie", "session=app-cookie");
        request.Headers.TryAddWithoutValidation("TokenProxy-Connection", "default");
        request.Headers.TryAddWithoutValidation("TokenProxy-Anything", "x");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.test");
        request.Headers.TryAddWithoutValidation("Forwarded", "host=evil.test");
        request.Headers.TryAddWithoutValidation("X-Secret", "named-in-connection");
        request.Headers.TryAddWithoutValidation("Connection", "X-Secret");
        request.Headers.TryAddWithoutValidation("X-Kept", "kept");
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(_scenario.Api.Requests);
        Assert.Equal([$"Bearer {token}"], seen.Headers["Authorization"]);
        foreach (var removed in new[] { "Proxy-Authorization", "Cookie", "TokenProxy-Connection", "TokenProxy-Anything", "X-Forwarded-Host", "Forwarded", "X-Secret" })
        {
            Assert.Null(seen.Header(removed));
        }

        Assert.Equal("kept", seen.Header("X-Kept"));
        Assert.DoesNotContain("APP-OWN-TOKEN", string.Join(" ", seen.Headers.SelectMany(h => h.Value)));
    }

    [Fact]
    public async Task Forwarding_headers_outside_the_X_Forwarded_family_and_their_underscore_spellings_are_removed_too()
    {
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        string[] forwarding =
        [
            "X-Real-IP", "x-client-ip", "X-Cluster-Client-IP", "True-Client-IP", "X-Original-URL", "X-Rewrite-URL", "X-Original-Host",
            // Read as the dashed names by CGI and the servers built on it.
            "X_Forwarded_For", "X-Real_IP", "X_Original_URL", "TokenProxy_Connection", "Proxy_Authorization",
        ];

        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/me");
        foreach (var name in forwarding)
        {
            request.Headers.TryAddWithoutValidation(name, "10.0.0.1");
        }

        request.Headers.TryAddWithoutValidation("X-Request-Id", "kept");
        request.Headers.TryAddWithoutValidation("X_Trace_Tag", "kept");
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(_scenario.Api.Requests);
        Assert.All(forwarding, name => Assert.Null(seen.Header(name)));
        Assert.Equal("kept", seen.Header("X-Request-Id"));
        Assert.Equal("kept", seen.Header("X_Trace_Tag"));
    }

    [Theory]
    [InlineData(StatusCodes.Status200OK)]
    [InlineData(StatusCodes.Status403Forbidden)]
    public async Task TokenProxy_headers_an_api_sets_never_reach_the_app(int status)
    {
        // An app reads TokenProxy-Error to tell the proxy's answers from the API's, and TokenProxy-Reconnect-Url as where a
        // person reconnects: an API must not be able to forge either.
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        _scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers["TokenProxy-Error"] = "reconnect_required";
            context.Response.Headers["TokenProxy-Reconnect-Url"] = "http://evil.test/phish";
            context.Response.Headers["tokenproxy_retry"] = "token-refreshed";
            context.Response.Headers["X-Api-Header"] = "kept";
            return context.Response.WriteAsync("{}");
        };

        using var response = await _scenario.Proxy.Client.GetAsync("/acme/me");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key.Replace('_', '-').StartsWith("TokenProxy-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("kept", response.Headers.GetValues("X-Api-Header").Single());
    }

    [Theory]
    [InlineData(StatusCodes.Status200OK, null, "text/html")]
    [InlineData(StatusCodes.Status404NotFound, "default-src 'self'", "text/html; charset=utf-8")]
    [InlineData(StatusCodes.Status200OK, null, "image/svg+xml")]
    [InlineData(StatusCodes.Status200OK, null, "text/plain")]
    [InlineData(StatusCodes.Status200OK, null, null)]
    public async Task An_api_response_opened_in_a_browser_is_sandboxed_and_never_sniffed(int status, string? apiPolicy, string? contentType)
    {
        // The proxy's origin is the admin API's: HTML an API returns must not run as it.
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        _scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            if (apiPolicy is not null)
            {
                context.Response.Headers.ContentSecurityPolicy = apiPolicy;
            }

            return context.Response.WriteAsync("<script>fetch('/admin/api/connections')</script>");
        };

        using var response = await _scenario.Proxy.Client.GetAsync("/acme/files/page.html");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        string[] policies = apiPolicy is null ? ["sandbox"] : [apiPolicy, "sandbox"];
        Assert.Equal(policies, response.Headers.GetValues("Content-Security-Policy"));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/problem+json; charset=utf-8")]
    public async Task A_json_answer_which_no_browser_runs_gets_no_extra_fields(string contentType)
    {
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        _scenario.Api.Respond = (context, _) =>
        {
            context.Response.ContentType = contentType;
            return context.Response.WriteAsync("{}");
        };

        using var response = await _scenario.Proxy.Client.GetAsync("/acme/items");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
        Assert.False(response.Headers.Contains("X-Content-Type-Options"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_larger_than_kestrels_default_limit_streams_to_the_api(bool knownLength)
    {
        // Kestrel refuses bodies over 30,000,000 bytes by default; an upload the provider accepts must not stop here.
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        var body = new byte[31_000_000];
        Random.Shared.NextBytes(body);
        using var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentLength = knownLength ? body.Length : null;

        using var response = await _scenario.Proxy.Client.PostAsync("/acme/upload", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body)),
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Assert.Single(_scenario.Api.Requests).Body)));
    }

    [Fact]
    public async Task Provider_header_format_is_used_for_injection()
    {
        var token = Canary.New("pat");
        await _scenario.Proxy.ImportAsync("gitlabish", token);

        using var response = await _scenario.Proxy.Client.GetAsync("/gitlabish/api/v4/user");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(_scenario.Api.Requests);
        Assert.Equal(token, seen.Header("PRIVATE-TOKEN"));
        Assert.Null(seen.Header("Authorization"));
    }

    [Fact]
    public async Task Connection_header_selects_by_label_or_id_and_default_label_is_used_without_it()
    {
        var defaultToken = Canary.New("default");
        var workToken = Canary.New("work");
        await _scenario.Proxy.ImportAsync("acme", defaultToken);
        var work = await _scenario.Proxy.ImportAsync("acme", workToken, label: "work");

        await _scenario.Proxy.Client.GetAsync("/acme/a");
        using (var byLabel = new HttpRequestMessage(HttpMethod.Get, "/acme/b"))
        {
            byLabel.Headers.Add("TokenProxy-Connection", "work");
            await _scenario.Proxy.Client.SendAsync(byLabel);
        }

        using (var byId = new HttpRequestMessage(HttpMethod.Get, "/acme/c"))
        {
            byId.Headers.Add("TokenProxy-Connection", work.GetProperty("id").GetString());
            await _scenario.Proxy.Client.SendAsync(byId);
        }

        var seen = _scenario.Api.Requests.ToDictionary(r => r.PathAndQuery, r => r.Header("Authorization"));
        Assert.Equal($"Bearer {defaultToken}", seen["/v1/a"]);
        Assert.Equal($"Bearer {workToken}", seen["/v1/b"]);
        Assert.Equal($"Bearer {workToken}", seen["/v1/c"]);
    }

    [Fact]
    public async Task Two_connection_header_lines_never_fall_back_to_the_default_connection()
    {
        // An app that names a connection must never have its request sent with another account's token: two
        // TokenProxy-Connection lines (a client library adding one to the app's own) name no single connection.
        var defaultToken = Canary.New("default");
        await _scenario.Proxy.ImportAsync("acme", defaultToken);
        await _scenario.Proxy.ImportAsync("acme", Canary.New("work"), label: "work");

        var (status, response) = await RawHttp.SendAsync(
            _scenario.Proxy.Address, "GET", "/acme/user", "TokenProxy-Connection: work", "TokenProxy-Connection: personal");

        Assert.True(status is >= 400 and < 500, response);
        Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
        Assert.DoesNotContain(_scenario.Api.Requests, r => r.Header("Authorization") == $"Bearer {defaultToken}");
    }

    [Fact]
    public async Task An_empty_connection_header_is_refused_rather_than_answered_with_the_default_connection()
    {
        // TokenProxy-Connection: $LABEL with the variable unset must not quietly become the default account.
        var defaultToken = Canary.New("default");
        await _scenario.Proxy.ImportAsync("acme", defaultToken);

        var (status, response) = await RawHttp.SendAsync(_scenario.Proxy.Address, "GET", "/acme/user", "TokenProxy-Connection: ");

        Assert.Equal(400, status);
        Assert.Contains("ambiguous_connection", response, StringComparison.Ordinal);
        Assert.DoesNotContain(_scenario.Api.Requests, r => r.Header("Authorization") == $"Bearer {defaultToken}");
    }

    [Fact]
    public async Task Large_bodies_stream_through_in_both_directions()
    {
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        var upload = new byte[10 * 1024 * 1024];
        Random.Shared.NextBytes(upload);
        _scenario.Api.Respond = async (context, recorded) =>
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(recorded.Body);
        };

        using var content = new StreamContent(new MemoryStream(upload));
        // No Content-Length: chunked upload, the way a streaming client sends it.
        content.Headers.ContentLength = null;
        using var response = await _scenario.Proxy.Client.PostAsync("/acme/upload", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(upload, Assert.Single(_scenario.Api.Requests).Body);
        Assert.Equal(upload, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unknown_provider_is_a_404_problem()
    {
        using var response = await _scenario.Proxy.Client.GetAsync("/nosuch/user");

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "unknown_provider");
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task Missing_connection_is_a_401_problem_with_a_connect_url_and_nothing_is_forwarded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/user");
        request.Headers.Add("TokenProxy-Connection", "personal");
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_connected");
        // acme carries imported tokens (no sign-in at a provider): the app is sent to the form that imports one.
        Assert.Equal("http://127.0.0.1:5080/admin/providers/acme/import?kind=bearer&label=personal", problem.GetProperty("connect_url").GetString());
        using var form = await _scenario.Proxy.Client.GetAsync(new Uri(problem.GetProperty("connect_url").GetString()!).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("value=\"personal\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task A_preset_whose_client_id_is_not_set_sends_the_app_to_import_a_token_not_to_a_connect_page_that_refuses()
    {
        // GitHub without TokenProxy:Providers:github:ClientId: nobody can connect in a browser, a personal access token works.
        using var response = await _scenario.Proxy.Client.GetAsync("/github/user");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_connected");
        Assert.Equal("http://127.0.0.1:5080/admin/providers/github/import?kind=bearer", problem.GetProperty("connect_url").GetString());
    }

    [Fact]
    public async Task Unreachable_upstream_is_a_502_problem()
    {
        // A port that was free a moment ago: nothing listens there.
        var closed = await LoopbackServer.StartAsync(_ => Task.CompletedTask);
        var deadAddress = closed.Address;
        await closed.DisposeAsync();
        await using var proxy = await ProxyHost.StartAsync(ProxyHost.Provider("dead", deadAddress));
        await proxy.ImportAsync("dead", Canary.New("access"));

        using var response = await proxy.Client.GetAsync("/dead/user");

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "upstream_unavailable");
    }

    [Fact]
    public async Task Upstream_errors_and_redirects_pass_through_unchanged_and_are_not_followed()
    {
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        _scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = "http://attacker.test/steal";
            return Task.CompletedTask;
        };

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _scenario.Proxy.Address };
        using var response = await client.GetAsync("/acme/moved");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("http://attacker.test/steal", response.Headers.Location!.OriginalString);
        Assert.False(response.Headers.Contains("TokenProxy-Error"));
        Assert.Single(_scenario.Api.Requests);
    }
}
