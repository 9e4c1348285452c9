using System.Net;
using System.Text;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// API keys (in a header with a format, or in a query parameter) and Basic credentials, imported through the admin API
/// and sent to a real loopback API: what crossed the wire, and that such a credential is never refreshed.
/// </summary>
public sealed class CredentialKindTests : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;

    public async Task InitializeAsync() =>
        _scenario = await ProxyScenario.StartAsync(configure: Configure);

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    /// <summary>Providers <c>headerkey</c>, <c>querykey</c>, <c>basic</c> and <c>basickey</c> (a key sent as Basic credentials) on the scenario's API, next to its OAuth2 <c>acme</c>.</summary>
    internal static void Configure(Dictionary<string, string?> settings, Uri api)
    {
        settings["TokenProxy:Providers:headerkey:ApiBaseUrl"] = api.AbsoluteUri;
        settings["TokenProxy:Providers:headerkey:Auth"] = "ApiKey";
        settings["TokenProxy:Providers:headerkey:ApiKey:Header"] = "X-Api-Key";
        settings["TokenProxy:Providers:headerkey:ApiKey:Format"] = "Token token={key}";
        settings["TokenProxy:Providers:querykey:ApiBaseUrl"] = new Uri(api, "/v1/").AbsoluteUri;
        settings["TokenProxy:Providers:querykey:Auth"] = "ApiKey";
        settings["TokenProxy:Providers:querykey:ApiKey:Query"] = "api_key";
        settings["TokenProxy:Providers:basic:ApiBaseUrl"] = api.AbsoluteUri;
        settings["TokenProxy:Providers:basic:Auth:0"] = "OAuth2";
        settings["TokenProxy:Providers:basic:Auth:1"] = "Basic";
        settings["TokenProxy:Providers:basickey:ApiBaseUrl"] = api.AbsoluteUri;
        settings["TokenProxy:Providers:basickey:Auth"] = "ApiKey";
        settings["TokenProxy:Providers:basickey:ApiKey:Basic"] = "{key}:X";
    }

    [Fact]
    public async Task Missing_connection_of_an_api_key_provider_points_to_its_import_form_with_the_label_not_to_a_browser_connect()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headerkey/items");
        request.Headers.Add("TokenProxy-Connection", "personal");
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_connected");
        Assert.Equal("http://127.0.0.1:5080/admin/providers/headerkey/import?kind=apikey&label=personal", problem.GetProperty("connect_url").GetString());
        Assert.Contains("/admin/providers/headerkey/import?kind=apikey", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task Api_key_goes_in_its_header_with_its_format_and_the_apps_own_credentials_are_removed()
    {
        var key = Canary.New("apikey");
        var created = await ImportAsync(new { provider = "headerkey", label = "default", apiKey = key });

        using var request = new HttpRequestMessage(HttpMethod.Get, "/headerkey/items");
        request.Headers.Add("X-Api-Key", "chosen-by-the-app");
        request.Headers.Add("Authorization", "Bearer from-the-app");
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("apikey", created.GetProperty("credentialKind").GetString());
        Assert.False(created.GetProperty("canRefresh").GetBoolean());
        var upstream = Assert.Single(_scenario.Api.Requests);
        Assert.Equal($"Token token={key}", upstream.Header("X-Api-Key"));
        Assert.Null(upstream.Header("Authorization"));
    }

    [Fact]
    public async Task Api_key_declared_as_basic_goes_as_basic_credentials_built_from_its_template()
    {
        var key = Canary.New("apikey");
        var created = await ImportAsync(new { provider = "basickey", label = "default", apiKey = key });

        using var request = new HttpRequestMessage(HttpMethod.Get, "/basickey/tickets");
        request.Headers.Add("Authorization", "Bearer from-the-app");
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("apikey", created.GetProperty("credentialKind").GetString());
        var upstream = Assert.Single(_scenario.Api.Requests);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:X")), upstream.Header("Authorization"));
    }

    [Fact]
    public async Task Api_key_in_the_query_replaces_any_parameter_the_app_sent_by_that_name()
    {
        var key = Canary.New("apikey") + "+/=";
        await ImportAsync(new { provider = "querykey", label = "default", apiKey = key });

        using var response = await _scenario.Proxy.Client.GetAsync("/querykey/items?a=1&api_key=chosen&API_KEY=other&b=x%20y");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var upstream = Assert.Single(_scenario.Api.Requests);
        Assert.Equal($"/v1/items?a=1&b=x%20y&api_key={Uri.EscapeDataString(key)}", upstream.PathAndQuery);
        Assert.Null(upstream.Header("Authorization"));
    }

    [Fact]
    public async Task Api_key_in_the_query_is_added_when_the_app_sent_no_query()
    {
        var key = Canary.New("apikey");
        await ImportAsync(new { provider = "querykey", label = "default", apiKey = key });

        using var response = await _scenario.Proxy.Client.GetAsync("/querykey/items");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"/v1/items?api_key={key}", Assert.Single(_scenario.Api.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Api_key_in_the_query_is_not_chosen_by_the_app_through_a_semicolon_separator()
    {
        // Many servers (and Python's parse_qs before 3.9.2) split a query on ';' as well as '&' (W3C HTML 4.01 B.2.2),
        // and most take the first value of a repeated parameter: a name after ';' must not reach the API beside the key.
        var key = Canary.New("apikey");
        await ImportAsync(new { provider = "querykey", label = "default", apiKey = key });

        using var response = await _scenario.Proxy.Client.GetAsync("/querykey/items?a=1;api_key=chosen");

        Assert.All(_scenario.Api.Requests, upstream => Assert.DoesNotContain("api_key=chosen", upstream.PathAndQuery, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Basic_credentials_go_as_authorization_basic()
    {
        var password = Canary.New("password") + " with space";
        var created = await ImportAsync(new { provider = "basic", label = "default", username = "agent@example.com", password });

        using var request = new HttpRequestMessage(HttpMethod.Get, "/basic/tickets");
        request.Headers.Add("Authorization", "Basic YXBwOmFwcA==");
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("basic", created.GetProperty("credentialKind").GetString());
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"agent@example.com:{password}"));
        Assert.Equal(expected, Assert.Single(_scenario.Api.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Imported_tokens_say_whether_they_are_refreshed()
    {
        var bearer = await ImportAsync(new { provider = "basic", label = "bearer", accessToken = "plain-token" });
        var oauth = await ImportAsync(new { provider = "basic", label = "oauth", accessToken = "access", refreshToken = "refresh" });

        Assert.Equal("bearer", bearer.GetProperty("credentialKind").GetString());
        Assert.Equal("oauth2", oauth.GetProperty("credentialKind").GetString());
    }

    [Theory]
    [InlineData("acme", "apiKey", "tokens (OAuth2")]
    [InlineData("headerkey", "accessToken", "an API key (ApiKey")]
    [InlineData("headerkey", "username", "an API key (ApiKey")]
    [InlineData("querykey", "username", "an API key (ApiKey")]
    public async Task A_kind_the_provider_does_not_offer_is_refused_naming_the_kinds_it_offers(string provider, string field, string offered)
    {
        object body = field switch
        {
            "apiKey" => new { provider, apiKey = "k" },
            "accessToken" => new { provider, accessToken = "t" },
            _ => new { provider, username = "u", password = "p" },
        };

        using var response = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", body));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        var message = problem.GetProperty("errors").GetProperty(field)[0].GetString();
        Assert.Contains("it offers " + offered, message, StringComparison.Ordinal);
        Assert.Equal("[]", await _scenario.Proxy.Client.GetStringAsync("/admin/api/connections"));
    }

    [Fact]
    public async Task An_upstream_401_to_an_api_key_reaches_the_app_as_is_and_the_connection_stays_active()
    {
        var created = await ImportAsync(new { provider = "headerkey", label = "default", apiKey = "revoked-at-the-provider" });
        _scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Token realm=\"api\"";
            return context.Response.WriteAsync("""{"message":"bad key"}""");
        };

        using var response = await _scenario.Proxy.Client.PostAsync("/headerkey/items", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"message":"bad key"}""", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("TokenProxy-Retry"));
        Assert.False(response.Headers.Contains("TokenProxy-Error"));
        Assert.Single(_scenario.Api.Requests);
        var id = created.GetProperty("id").GetString();
        var after = JsonDocument.Parse(await _scenario.Proxy.Client.GetStringAsync($"/admin/api/connections/{id}")).RootElement;
        Assert.Equal("active", after.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("lastError").ValueKind);
    }

    [Fact]
    public async Task Refreshing_an_api_key_is_a_conflict_and_revoking_erases_it_here()
    {
        var created = await ImportAsync(new { provider = "basic", label = "default", username = "u", password = "p" });
        var id = created.GetProperty("id").GetString();

        using var refresh = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        using var revoke = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        using var after = await _scenario.Proxy.Client.GetAsync("/basic/tickets");

        var problem = await Problems.AssertProblemAsync(refresh, HttpStatusCode.Conflict, "not_refreshable");
        Assert.Contains("never refreshed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var revoked = JsonDocument.Parse(await revoke.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("revoked", revoked.GetProperty("connection").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task The_connection_page_names_the_credential_kind()
    {
        var created = await ImportAsync(new { provider = "headerkey", label = "default", apiKey = "k" });

        var page = await _scenario.Proxy.Client.GetStringAsync($"/admin/connections/{created.GetProperty("id").GetString()}");

        Assert.Contains("<dt>Credential</dt><dd>API key</dd>", page, StringComparison.Ordinal);
        Assert.Contains("never refreshed", page, StringComparison.Ordinal);
    }

    private async Task<JsonElement> ImportAsync(object body)
    {
        using var response = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", body));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
