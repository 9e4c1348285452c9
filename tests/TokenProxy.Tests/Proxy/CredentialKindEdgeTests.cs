using System.Net;
using System.Text;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// API keys in the query and Basic credentials at their edges, seen from an app and a real loopback API: what the app
/// gets back must never carry the key, and what RFC 7617 allows must be importable.
/// </summary>
public sealed class CredentialKindEdgeTests : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;

    public async Task InitializeAsync() =>
        _scenario = await ProxyScenario.StartAsync(configure: CredentialKindTests.Configure);

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    [Fact]
    public async Task A_redirect_from_the_api_does_not_hand_the_query_api_key_to_the_app()
    {
        // APIs redirect with the request's own query string (a trailing-slash or canonical-path redirect, RFC 9110 §15.4):
        // the proxy passes redirects back to the app, so the key it put in that query would reach the app that must
        // never hold it, and the app's HTTP client would carry it on.
        var key = Canary.New("apikey");
        await ImportAsync(new { provider = "querykey", label = "default", apiKey = key });
        _scenario.Api.Respond = (context, recorded) =>
        {
            context.Response.StatusCode = (int)HttpStatusCode.MovedPermanently;
            context.Response.Headers.Location = recorded.PathAndQuery.Replace("/items?", "/items/?", StringComparison.Ordinal);
            return Task.CompletedTask;
        };
        using var app = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _scenario.Proxy.Address };

        using var response = await app.GetAsync("/querykey/items?page=2");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Contains("api_key=", Assert.Single(_scenario.Api.Requests).PathAndQuery, StringComparison.Ordinal);
        var location = response.Headers.Location?.OriginalString ?? "";
        Assert.Contains("/items/", location, StringComparison.Ordinal);
        // Asserted without printing the Location: a failure must not put the key in the test output either.
        Assert.False(location.Contains(key, StringComparison.Ordinal) || location.Contains(Uri.EscapeDataString(key), StringComparison.Ordinal),
            "The Location the app received carries the API key the proxy added.");
    }

    [Fact]
    public async Task Headers_that_echo_the_request_url_reach_the_app_without_the_query_api_key()
    {
        // Content-Location (RFC 9110 §8.7), pagination Links (RFC 8288) and headers of the API's own echo the URL it was
        // asked for: the parameter goes, the rest of each value stays; a header holding the key some other way goes whole.
        var key = Canary.New("apikey");
        await ImportAsync(new { provider = "querykey", label = "default", apiKey = key });
        _scenario.Api.Respond = (context, recorded) =>
        {
            var url = $"http://{context.Request.Host}{recorded.PathAndQuery}";
            context.Response.Headers.ContentLocation = recorded.PathAndQuery;
            context.Response.Headers.Link = $"<{url.Replace("page=2", "page=3", StringComparison.Ordinal)}>; rel=\"next\"";
            context.Response.Headers["X-Request-Url"] = url;
            context.Response.Headers["X-Echo"] = key;
            return context.Response.WriteAsync("{}");
        };

        using var response = await _scenario.Proxy.Client.GetAsync("/querykey/items?page=2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        Assert.False(headers.Values.Any(v => v.Contains(key, StringComparison.Ordinal) || v.Contains(Uri.EscapeDataString(key), StringComparison.Ordinal)),
            "A response header the app received carries the API key the proxy added.");
        Assert.EndsWith("/v1/items?page=2", headers["Content-Location"], StringComparison.Ordinal);
        Assert.Matches(@"^<http://[^>]+/v1/items\?page=3>; rel=""next""$", headers["Link"]);
        Assert.EndsWith("/v1/items?page=2", headers["X-Request-Url"], StringComparison.Ordinal);
        Assert.False(headers.ContainsKey("X-Echo"));
    }

    [Fact]
    public async Task A_key_the_api_echoes_encoded_twice_lower_cased_or_json_escaped_never_reaches_the_app()
    {
        // A key with '+', '/' and '=' (base64) reads differently in each: a return_to built from the request's URL encodes
        // it twice, a normalised URL lower-cases it, a JSON body written into a header escapes it.
        var key = Canary.New("apikey") + "+/=A\"b";
        await ImportAsync(new { provider = "querykey", label = "default", apiKey = key });
        var once = Uri.EscapeDataString(key);
        _scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = (int)HttpStatusCode.Found;
            context.Response.Headers.Location = $"https://login.example/cb?next={Uri.EscapeDataString($"/v1/items?api_key={once}")}";
            context.Response.Headers["X-Lower"] = key.ToLowerInvariant();
            context.Response.Headers["X-Json"] = System.Text.Json.JsonSerializer.Serialize(new { key });
            context.Response.Headers["X-Slash"] = key.Replace("/", "\\/", StringComparison.Ordinal);
            context.Response.Headers["X-Stringified"] = key.Replace("\"", "\\\"", StringComparison.Ordinal);
            context.Response.Headers["X-Every-Byte"] = string.Concat(Encoding.UTF8.GetBytes(key).Select(b => $"%{b:x2}"));
            context.Response.Headers["X-Kept"] = "yes";
            return Task.CompletedTask;
        };
        using var app = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _scenario.Proxy.Address };

        using var response = await app.GetAsync("/querykey/items");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var all = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
        // Asserted without printing the headers: a failure must not put the key in the test output either.
        string[] forms = [key, once, Uri.EscapeDataString(once), "\\u002B/=A\\u0022b", key.Replace("/", "\\/", StringComparison.Ordinal),
            key.Replace("\"", "\\\"", StringComparison.Ordinal), string.Concat(Encoding.UTF8.GetBytes(key).Select(b => $"%{b:x2}"))];
        Assert.False(forms.Any(form => all.Contains(form, StringComparison.OrdinalIgnoreCase)), "A response header the app received carries the API key in some form.");
        Assert.Equal(["yes"], response.Headers.GetValues("X-Kept"));
    }

    [Fact]
    public async Task Basic_credentials_with_an_empty_password_are_imported_and_sent_as_user_and_colon()
    {
        // RFC 7617 §2: user-pass = user-id ":" password, password = *TEXT: an empty password is valid, and APIs that take
        // their key as the user name expect exactly that (curl -u KEY:).
        var user = Canary.New("key-as-user");

        using var imported = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "basic", label = "default", username = user, password = "" }));

        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        using var response = await _scenario.Proxy.Client.GetAsync("/basic/charges");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:"));
        Assert.Equal(expected, Assert.Single(_scenario.Api.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task A_connection_whose_kind_its_provider_no_longer_offers_is_not_answered_as_missing()
    {
        // After a configuration change (the provider's Auth no longer lists ApiKey) the connection is still listed as
        // active; the app's answer must not say that no such connection exists, nor send the key anywhere.
        Dictionary<string, string?> settings = null!;
        await using var scenario = await ProxyScenario.StartAsync(configure: (values, api) =>
        {
            CredentialKindTests.Configure(values, api);
            settings = values;
        });
        var key = Canary.New("apikey");
        string id;
        using (var imported = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "headerkey", label = "default", apiKey = key })))
        {
            Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
            id = (await imported.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        }

        await scenario.StopAsync();
        settings["TokenProxy:Providers:headerkey:Auth"] = "OAuth2";
        settings.Remove("TokenProxy:Providers:headerkey:ApiKey:Header");
        settings.Remove("TokenProxy:Providers:headerkey:ApiKey:Format");
        var proxy = await scenario.RestartAsync();
        using var response = await proxy.Client.GetAsync("/headerkey/items");
        using var again = await proxy.Client.GetAsync("/headerkey/items");
        var connection = await proxy.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/api/connections/{id}");
        var page = await proxy.Client.GetStringAsync($"/admin/connections/{id}");

        Assert.Empty(scenario.Api.Requests);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var error = response.Headers.TryGetValues("TokenProxy-Error", out var values) ? string.Join(",", values) : null;
        Assert.NotEqual("not_connected", error);
        Assert.DoesNotContain("There is no", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // What it is instead: a conflict between the row and the configuration, said to the app, and to the operator once
        // (in the log, the connection JSON and its page), the key nowhere.
        await Problems.AssertProblemAsync(again, HttpStatusCode.Conflict, "kind_not_offered");
        Assert.Single(proxy.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal) && line.Contains("no longer offers", StringComparison.Ordinal));
        Assert.Contains("no longer offers apikey", connection.GetProperty("statusDescription").GetString(), StringComparison.Ordinal);
        Assert.Contains("no longer offers apikey", page, StringComparison.Ordinal);
        Assert.DoesNotContain(proxy.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal));
    }

    private async Task ImportAsync(object body)
    {
        using var response = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", body));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
