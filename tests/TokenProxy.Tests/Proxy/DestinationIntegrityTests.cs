using TokenProxy.Proxy;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// Whatever the app puts in the path or headers, a request and its token go only to the provider's
/// configured host and base path: never to another listener (docs/architecture.md §6, A1, A2, B12).
/// </summary>
public sealed class DestinationIntegrityTests : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;
    private RecordingUpstream _attacker = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ProxyScenario.StartAsync(apiPath: "/v1/");
        _attacker = await RecordingUpstream.StartAsync();
        _token = Canary.New("access");
        await _scenario.Proxy.ImportAsync("acme", _token);
    }

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        await _attacker.DisposeAsync();
    }

    public static TheoryData<string> HostileTargets() =>
    [
        "/acme/../evil/x",
        "/acme/%2e%2e/%2e%2e/x",
        "/acme/%2E%2E%2F%2E%2E%2Fx",
        "/acme/..%2F..%2Fx",
        "/acme/..%5C..%5Cx",
        "/acme/%5C%5CATTACKER/x",
        "/acme/..;/x",
        "/acme//ATTACKER/x",
        "/acme/%2F%2FATTACKER/x",
        "/acme/@ATTACKER/x",
        "/acme/%40ATTACKER/x",
        "/acme/x%23@ATTACKER/",
        "/acme/%23/../../x",
        "/acme/http://ATTACKER/x",
        "/acme/https:%2F%2FATTACKER/x",
        "/acme.ATTACKER/x",
        "/acmeevil/x",
        "/acme%2F..%2F..%2Fx",
        "http://ATTACKER/acme/x",
        "http://ATTACKER/x",
    ];

    [Theory]
    [MemberData(nameof(HostileTargets))]
    public async Task Hostile_request_targets_never_leave_the_configured_host_and_base_path(string target)
    {
        target = target.Replace("ATTACKER", _attacker.Address.Authority, StringComparison.Ordinal);

        var (status, response) = await RawHttp.SendAsync(_scenario.Proxy.Address, "GET", target);

        Assert.Empty(_attacker.Requests);
        foreach (var seen in _scenario.Api.Requests)
        {
            Assert.Equal(_scenario.Api.Address.Authority, seen.Host);
            Assert.StartsWith("/v1/", seen.PathAndQuery, StringComparison.Ordinal);
        }

        Assert.InRange(status, 200, 499);
        Canary.AssertAbsent(_token, response, "the response");
    }

    [Theory]
    [InlineData("X-Forwarded-Host: ATTACKER")]
    [InlineData("Forwarded: host=ATTACKER;proto=http")]
    [InlineData("X-Original-URL: http://ATTACKER/x")]
    [InlineData("X-Rewrite-URL: //ATTACKER/x")]
    public async Task Forwarding_headers_do_not_steer_the_destination(string header)
    {
        header = header.Replace("ATTACKER", _attacker.Address.Authority, StringComparison.Ordinal);

        var (status, _) = await RawHttp.SendAsync(_scenario.Proxy.Address, "GET", "/acme/user", header);

        Assert.Equal(200, status);
        Assert.Empty(_attacker.Requests);
        Assert.Equal(_scenario.Api.Address.Authority, Assert.Single(_scenario.Api.Requests).Host);
    }

    [Fact]
    public async Task Host_header_naming_another_site_is_rejected_before_any_token_is_read()
    {
        var (status, _) = await RawHttp.SendAsync(_scenario.Proxy.Address, "GET", "/acme/user", $"Host: evil.test:{_scenario.Proxy.Address.Port}");

        Assert.Equal(400, status);
        Assert.Empty(_scenario.Api.Requests);
        Assert.Empty(_attacker.Requests);
    }

    [Fact]
    public async Task Connect_method_is_refused_and_opens_no_tunnel()
    {
        // Kestrel itself refuses an authority that is not the Host; one that is reaches TokenProxy with no path.
        var (elsewhere, _) = await RawHttp.SendAsync(_scenario.Proxy.Address, "CONNECT", _attacker.Address.Authority);
        var (authorityForm, answer) = await RawHttp.SendAsync(_scenario.Proxy.Address, "CONNECT", _scenario.Proxy.Address.Authority);
        var (originForm, _) = await RawHttp.SendAsync(_scenario.Proxy.Address, "CONNECT", "/acme/user");

        Assert.InRange(elsewhere, 400, 499);
        Assert.Equal(405, authorityForm);
        Assert.Contains("TokenProxy-Error: method_not_allowed", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(405, originForm);
        Assert.Empty(_attacker.Requests);
        Assert.Empty(_scenario.Api.Requests);
    }

    [Theory]
    [InlineData("TRACE")]
    [InlineData("TRACK")]
    public async Task A_method_that_makes_the_api_echo_the_request_is_refused_so_the_token_never_comes_back(string method)
    {
        var (status, answer) = await RawHttp.SendAsync(_scenario.Proxy.Address, method, "/acme/user");

        Assert.Equal(405, status);
        Assert.Contains("TokenProxy-Error: method_not_allowed", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_scenario.Api.Requests);
    }

    [Theory]
    [InlineData("X-HTTP-Method-Override", "TRACE")]
    [InlineData("X-HTTP-Method", "track")]
    [InlineData("X-Method-Override", " CONNECT ")]
    [InlineData("X-HTTP-Method-Override", "TRACE, GET")]
    [InlineData("X-HTTP-Method-Override", "GET,TRACE")]
    [InlineData("X_HTTP_Method_Override", "TRACE")]
    public async Task A_refused_method_named_in_a_method_override_header_is_refused_too(string header, string method)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/acme/user") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation(header, method);

        using var response = await _scenario.Proxy.Client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Matches($@"^(TRACE|track|CONNECT) \(in {header.Replace('_', '-')}\) is not forwarded\.$", problem.GetProperty("detail").GetString());
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task A_method_override_header_naming_an_ordinary_method_is_forwarded_as_is()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/acme/user") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-HTTP-Method-Override", "PATCH");

        using var response = await _scenario.Proxy.Client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(_scenario.Api.Requests);
        Assert.Equal(["PATCH"], forwarded.Headers["X-HTTP-Method-Override"]);
    }

    [Theory]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1/user", true)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v1", true)]
    [InlineData("https://api.example.com/", "https://api.example.com/anything", true)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/v10/user", false)]
    [InlineData("https://api.example.com/v1", "https://api.example.com/other", false)]
    [InlineData("https://api.example.com/", "http://api.example.com/user", false)]
    [InlineData("https://api.example.com/", "https://api.example.com:8443/user", false)]
    [InlineData("https://api.example.com/", "https://api.example.com.evil.test/user", false)]
    [InlineData("https://api.example.com/", "https://evil.test/user", false)]
    [InlineData("https://api.example.com/", "https://user@api.example.com/user", false)]
    public void Egress_guard_allows_only_the_configured_origin_and_base_path(string allowed, string target, bool expected)
    {
        Assert.Equal(expected, EgressGuardHandler.IsWithin(new Uri(target), new Uri(allowed)));
    }
}
