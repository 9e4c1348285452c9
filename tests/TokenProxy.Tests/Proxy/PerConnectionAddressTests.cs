using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// A provider whose API base has placeholders sends each connection's requests to that connection's own base, and to no
/// other listener, whatever the parameter values (docs/architecture.md §6, A1, A4). On loopback, without DNS, the
/// host placeholder stands for the whole host and <c>AllowedHosts</c> names <c>127.0.0.1</c> and <c>localhost</c> on the
/// API's port; the attacker listens on another port. Its pattern accepts anything, so that what refuses is the
/// universal value rule and the check of the resolved address.
/// </summary>
public sealed class PerConnectionAddressTests : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;
    private RecordingUpstream _attacker = null!;

    public async Task InitializeAsync()
    {
        _attacker = await RecordingUpstream.StartAsync();
        _scenario = await ProxyScenario.StartAsync(configure: (settings, api) =>
        {
            var port = api.Port;
            settings["TokenProxy:Providers:tenant:ApiBaseUrl"] = $"http://{{tenant}}:{port}/api";
            settings["TokenProxy:Providers:tenant:AllowedHosts:0"] = $"127.0.0.1:{port}";
            settings["TokenProxy:Providers:tenant:AllowedHosts:1"] = $"localhost:{port}";
            settings["TokenProxy:Providers:tenant:Parameters:tenant:Pattern"] = @"^(?s:.*)\z";
            settings["TokenProxy:Providers:tenant:Parameters:tenant:Label"] = "Tenant host";
            settings["TokenProxy:Providers:sites:ApiBaseUrl"] = $"http://127.0.0.1:{port}/ex/jira/{{cloudId}}";
            settings["TokenProxy:Providers:sites:Parameters:cloudId:Pattern"] = @"^[a-z0-9-]{1,64}\z";
            settings["TokenProxy:Providers:sites:Parameters:cloudId:Label"] = "Atlassian site";
            settings["TokenProxy:Providers:orgs:ApiBaseUrl"] = "{instance_url}/services/data";
            settings["TokenProxy:Providers:orgs:AllowedHosts:0"] = $"127.0.0.1:{port}";
            settings["TokenProxy:Providers:orgs:Parameters:instance_url:FromTokenResponse"] = "true";
            settings["TokenProxy:Providers:orgs:Parameters:instance_url:Label"] = "Salesforce instance";
        });
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _attacker.DisposeAsync();
    }

    [Fact]
    public async Task Each_connection_is_proxied_to_its_own_resolved_api_base()
    {
        var api = _scenario.Api.Address;
        await ImportAsync("tenant", "default", new() { ["tenant"] = "127.0.0.1" });
        await ImportAsync("sites", "default", new() { ["cloudId"] = "site-a" });
        await ImportAsync("sites", "other", new() { ["cloudId"] = "site-b" });
        var created = await ImportAsync("orgs", "default", new() { ["instance_url"] = $"http://127.0.0.1:{api.Port}" });

        using var tenant = await _scenario.Proxy.Client.GetAsync("/tenant/items?x=1");
        using var siteA = await _scenario.Proxy.Client.GetAsync("/sites/rest/api/3/myself");
        using var siteB = await _scenario.Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sites/rest/api/3/myself") { Headers = { { "TokenProxy-Connection", "other" } } });
        using var org = await _scenario.Proxy.Client.GetAsync("/orgs/v59.0/sobjects");

        Assert.All([tenant, siteA, siteB, org], r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(
            ["/api/items?x=1", "/ex/jira/site-a/rest/api/3/myself", "/ex/jira/site-b/rest/api/3/myself", "/services/data/v59.0/sobjects"],
            _scenario.Api.Requests.Select(r => r.PathAndQuery));
        Assert.All(_scenario.Api.Requests, r => Assert.StartsWith("Bearer token-", r.Header("Authorization"), StringComparison.Ordinal));
        Assert.Equal($"http://127.0.0.1:{api.Port}", created.GetProperty("parameters").GetProperty("instance_url").GetString());
        var page = await _scenario.Proxy.Client.GetStringAsync($"/admin/connections/{created.GetProperty("id").GetString()}");
        Assert.Contains("instance_url = http://127.0.0.1:", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_without_a_declared_parameter_is_a_400_naming_it()
    {
        using var response = await PostImportAsync("sites", "default", []);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("Atlassian site (cloudId) is missing.", problem.GetProperty("errors").GetProperty("parameters.cloudId")[0].GetString());
        Assert.Empty(await _scenario.Proxy.Services.GetRequiredService<IConnectionStore>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Every_hostile_parameter_value_is_refused_and_never_reaches_another_listener()
    {
        var attacker = _attacker.Address.Authority;
        var api = _scenario.Api.Address;
        var tenants = new[]
        {
            "evil.test#", "a.evil.test", "evil.test", "x/../..", "%2f", "@evil.test", "evil\u3002test", "evil\uFF0Etest",
            "127.0.0.1\r\nHost: evil.test", new string('a', 10 * 1024),
            attacker, $"{attacker}/#", $"{attacker}/x/../..", $"{attacker}%2f", $"@{attacker}", $"x@{attacker}", $"{attacker}\\",
            "127\u30020\u30020\u30021", "127.0.0.2", "localhost.",
        };
        var origins = new[]
        {
            "https://evil.test", $"http://{attacker}", $"http://127.0.0.1:{api.Port}@{attacker}", $"http://127.0.0.1:{api.Port}.evil.test",
            $"http://localhost:{api.Port}", $"http://127.0.0.1:{api.Port}/other", $"http://127.0.0.1:{api.Port}#", "http://evil.test",
            $"https://a.my.salesforce.com@{attacker}", $"http://127.0.0.1:{api.Port}\r\n", "127.0.0.1",
            // Uri resolves these to the origin: the text as given has a path all the same.
            $"http://127.0.0.1:{api.Port}/x/../..", $"http://127.0.0.1:{api.Port}/.", $"http://127.0.0.1:{api.Port}//",
        };

        var table = tenants.Select(v => ("tenant", "tenant", v, "Tenant host")).Concat(origins.Select(v => ("orgs", "instance_url", v, "Salesforce instance")));
        var store = _scenario.Proxy.Services.GetRequiredService<IConnectionStore>();
        var sealer = _scenario.Proxy.Services.GetRequiredService<SecretSealer>();
        var index = 0;
        foreach (var (provider, parameter, value, label) in table)
        {
            var shown = value.Length > 40 ? $"{value[..40]}… ({value.Length} chars)" : value;

            // At import: a 400 naming the parameter and its label, never the value.
            using var import = await PostImportAsync(provider, $"import{index}", new() { [parameter] = value });
            var body = await import.Content.ReadAsStringAsync();
            Assert.True(import.StatusCode == HttpStatusCode.BadRequest, $"{shown}: import answered {(int)import.StatusCode}");
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.StartsWith($"{label} ({parameter}) ", problem.GetProperty("errors").GetProperty($"parameters.{parameter}")[0].GetString(), StringComparison.Ordinal);
            Assert.True(body.Length < 2048, $"{shown}: the problem body is {body.Length} characters");

            // Per request: a row that holds the value anyway (an older configuration, an edited database) is refused before anything is sent.
            var id = ConnectionIds.New();
            var now = DateTimeOffset.UtcNow;
            Assert.True(await store.TryInsertAsync(new ConnectionRow
            {
                Id = id, Provider = provider, Label = $"stored{index}", Status = ConnectionStatus.Active,
                AccessToken = sealer.Seal(id, SecretSealer.AccessTokenField, $"token-stored-{index}"),
                Parameters = new Dictionary<string, string> { [parameter] = value }, CreatedAt = now, UpdatedAt = now,
            }, CancellationToken.None));
            using var call = await _scenario.Proxy.Client.SendAsync(
                new HttpRequestMessage(HttpMethod.Get, $"/{provider}/x") { Headers = { { "TokenProxy-Connection", $"stored{index}" } } });
            Assert.True(call.StatusCode == HttpStatusCode.BadGateway, $"{shown}: the request answered {(int)call.StatusCode}");
            await Problems.AssertProblemAsync(call, HttpStatusCode.BadGateway, "invalid_destination");
            index++;
        }

        Assert.Empty(_attacker.Requests);
        Assert.Empty(_scenario.Api.Requests);
        Assert.DoesNotContain(_scenario.Proxy.Logs.Lines, l => l.Contains("token-stored-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/sites/rest/..%2F..%2Fsite-b/rest/api/3/myself")]
    [InlineData("/sites/rest/..%2f..%2fsite-b/rest/api/3/myself")]
    [InlineData("/sites/rest/..%5C..%5Csite-b/rest/api/3/myself")]
    [InlineData("/sites/rest/..%5c..%5csite-b/rest/api/3/myself")]
    [InlineData("/sites/rest/../site-b/rest/api/3/myself")]
    [InlineData("/sites/rest/./api/3/myself")]
    [InlineData("/sites/rest/%2E%2E/site-b/rest/api/3/myself")]
    [InlineData("/sites/rest/.%2e/site-b/rest/api/3/myself")]
    [InlineData("/sites/..;/site-b/rest/api/3/myself")]
    [InlineData("/sites/rest/..;x=1/site-b/rest/api/3/myself")]
    public async Task A_path_that_could_leave_the_connections_own_path_is_refused_before_anything_is_sent(string target)
    {
        // The base /ex/jira/{cloudId} is shared up to the placeholder: an API that decodes %2F or %5C, or resolves a dot
        // segment (Java servers read "..;" as ".."), after the proxy would serve another site's data with this token.
        await ImportAsync("sites", "default", new() { ["cloudId"] = "site-a" });

        var (status, response) = await RawHttp.SendAsync(_scenario.Proxy.Address, "GET", target);

        Assert.Equal(400, status);
        Assert.Contains("TokenProxy-Error: invalid_path", response, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task An_encoded_slash_under_a_base_without_a_path_placeholder_is_still_forwarded()
    {
        // GitLab's project ids are "group%2Fproject": only a placeholder in the path makes an encoded slash a risk.
        await ImportAsync("orgs", "default", new() { ["instance_url"] = $"http://127.0.0.1:{_scenario.Api.Address.Port}" });

        var (status, _) = await RawHttp.SendAsync(_scenario.Proxy.Address, "GET", "/orgs/projects/group%2Fproject");

        Assert.Equal(200, status);
        Assert.Equal("/services/data/projects/group%2Fproject", Assert.Single(_scenario.Api.Requests).PathAndQuery);
    }

    private async Task<JsonElement> ImportAsync(string provider, string label, Dictionary<string, string> parameters)
    {
        using var response = await PostImportAsync(provider, label, parameters);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> PostImportAsync(string provider, string label, Dictionary<string, string> parameters) =>
        _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider, label, accessToken = $"token-{provider}-{label}", parameters }));
}
