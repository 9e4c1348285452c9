using System.Net;
using System.Net.Http.Headers;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>Threat: any local process (or any host, on a shared deployment) uses people's tokens. Client keys restrict it.</summary>
public sealed class ClientKeyTests : IAsyncLifetime
{
    private const string ReportsKey = "reports-key-0123456789abcdef0123456789";
    private const string TeamKey = "team-a-key-0123456789abcdef0123456789ab";
    private ProxyScenario _scenario = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ProxyScenario.StartAsync((settings, api) =>
        {
            ProxyHost.AddProvider(settings, "other", api);
            settings["TokenProxy:Clients:reports:Key"] = ReportsKey;
            settings["TokenProxy:Clients:reports:Providers:0"] = "acme";
            settings["TokenProxy:Clients:team:Key"] = TeamKey;
            settings["TokenProxy:Clients:team:Workspace"] = "team-a";
        });
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        await _scenario.Proxy.ImportAsync("other", Canary.New("other"));
    }

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    private Task<HttpResponseMessage> SendAsync(string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.ProxyAuthorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return _scenario.Proxy.Client.SendAsync(request);
    }

    [Fact]
    public async Task Without_a_valid_key_nothing_is_forwarded()
    {
        using var none = await SendAsync("/acme/a", null);
        using var wrong = await SendAsync("/acme/a", "wrong-key-0123456789abcdef0123456789abc");

        await Problems.AssertProblemAsync(none, HttpStatusCode.ProxyAuthenticationRequired, "client_key_required");
        await Problems.AssertProblemAsync(wrong, HttpStatusCode.ProxyAuthenticationRequired, "client_key_required");
        // RFC 9110 §11.7.1: a 407 names the scheme to answer it with.
        Assert.Equal("Bearer realm=\"TokenProxy\"", none.Headers.ProxyAuthenticate.Single().ToString());
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task Without_a_key_no_provider_name_is_told_apart_from_another()
    {
        // A 404 for a name no provider has, next to a 407 for one that exists, would list the providers to anyone.
        using var unknown = await SendAsync("/nosuch/a", null);
        using var known = await SendAsync("/acme/a", null);
        using var keyed = await SendAsync("/nosuch/a", TeamKey);

        await Problems.AssertProblemAsync(unknown, HttpStatusCode.ProxyAuthenticationRequired, "client_key_required");
        await Problems.AssertProblemAsync(known, HttpStatusCode.ProxyAuthenticationRequired, "client_key_required");
        await Problems.AssertProblemAsync(keyed, HttpStatusCode.NotFound, "unknown_provider");
    }

    [Fact]
    public async Task Valid_key_is_accepted_and_never_forwarded()
    {
        using var response = await SendAsync("/acme/a", ReportsKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(_scenario.Api.Requests);
        Assert.Null(seen.Header("Proxy-Authorization"));
        Assert.DoesNotContain(ReportsKey, string.Join(" ", seen.Headers.SelectMany(h => h.Value)), StringComparison.Ordinal);
        Canary.AssertAbsent(ReportsKey, _scenario.Proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task Key_limited_to_some_providers_cannot_use_others()
    {
        using var response = await SendAsync("/other/a", ReportsKey);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "client_forbidden");
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task Key_limited_to_a_workspace_does_not_reach_connections_outside_it()
    {
        using var response = await SendAsync("/acme/a", TeamKey);

        // The key's requests look in its workspace only: the connection in none is not there.
        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_connected");
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task Key_limited_to_a_workspace_never_refreshes_a_connection_of_another()
    {
        await using var scenario = await TokenProxy.Tests.Tokens.RefreshScenario.StartAsync(s =>
        {
            s["TokenProxy:Clients:team:Key"] = TeamKey;
            s["TokenProxy:Clients:team:Workspace"] = "team-a";
        }, fakeClock: true);
        await scenario.ImportAsync();
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/a");
        request.Headers.ProxyAuthorization = new AuthenticationHeaderValue("Bearer", TeamKey);

        using var response = await scenario.Proxy.Client.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not_connected");
        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.Empty(scenario.Api.Requests);
    }
}
