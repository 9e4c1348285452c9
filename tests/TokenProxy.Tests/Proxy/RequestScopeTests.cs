using System.Net;
using System.Net.Http.Headers;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// The workspace and end user of a data-plane request: its headers, else its client key's, else none; a key limited to
/// a workspace or end user never names another; a malformed header is a 400, never a 500 and never another scope.
/// </summary>
public sealed class RequestScopeTests : IAsyncLifetime
{
    private const string TeamKey = "team-a-key-0123456789abcdef0123456789ab";
    private const string CarolKey = "carol-key-0123456789abcdef0123456789abc";
    private const string AnyKey = "any-key-0123456789abcdef0123456789abcde";
    private const string DaveKey = "dave-key-0123456789abcdef0123456789abc";
    private ProxyScenario _scenario = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ProxyScenario.StartAsync((settings, _) =>
        {
            settings["TokenProxy:Clients:team:Key"] = TeamKey;
            settings["TokenProxy:Clients:team:Workspace"] = "team-a";
            settings["TokenProxy:Clients:carol:Key"] = CarolKey;
            settings["TokenProxy:Clients:carol:Workspace"] = "team-a";
            settings["TokenProxy:Clients:carol:EndUser"] = "carol";
            settings["TokenProxy:Clients:any:Key"] = AnyKey;
            settings["TokenProxy:Clients:dave:Key"] = DaveKey;
            settings["TokenProxy:Clients:dave:EndUser"] = "dave";
        });
        foreach (var workspace in new[] { "team-a", "team-b" })
        {
            using var created = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = workspace }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await ImportAsync(null, null, "access-none");
        await ImportAsync("team-a", null, "access-team-a");
        await ImportAsync("team-b", null, "access-team-b");
        await ImportAsync("team-a", "carol", "access-carol");
        await ImportAsync("team-a", "dave", "access-dave");
        await ImportAsync(null, "dave", "access-dave-alone");
    }

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    [Theory]
    [InlineData(TeamKey, null, null, "Bearer access-team-a")]
    [InlineData(TeamKey, "team-a", "dave", "Bearer access-dave")]
    [InlineData(CarolKey, null, null, "Bearer access-carol")]
    [InlineData(CarolKey, "team-a", "carol", "Bearer access-carol")]
    [InlineData(AnyKey, null, null, "Bearer access-none")]
    [InlineData(AnyKey, "team-b", null, "Bearer access-team-b")]
    [InlineData(DaveKey, null, null, "Bearer access-dave-alone")]
    public async Task A_request_uses_the_workspace_and_end_user_it_names_else_its_keys(string key, string? workspace, string? endUser, string sent)
    {
        using var response = await SendAsync(key, workspace, endUser);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(sent, Assert.Single(_scenario.Api.Requests).Header("Authorization"));
    }

    [Theory]
    [InlineData(TeamKey, "team-b", null)]
    [InlineData(CarolKey, "team-b", null)]
    [InlineData(CarolKey, null, "dave")]
    [InlineData(CarolKey, "team-a", "dave")]
    // A key limited to an end user and no workspace: end user ids are only unique within a workspace, so naming one
    // would reach another tenant's "dave".
    [InlineData(DaveKey, "team-a", null)]
    [InlineData(DaveKey, "team-a", "dave")]
    public async Task A_key_limited_to_a_workspace_or_end_user_naming_another_is_forbidden(string key, string? workspace, string? endUser)
    {
        using var response = await SendAsync(key, workspace, endUser);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "client_forbidden");
        Assert.Empty(_scenario.Api.Requests);
    }

    [Theory]
    [InlineData("TokenProxy-Workspace", "team a", "invalid_workspace")]
    [InlineData("TokenProxy-Workspace", "-team", "invalid_workspace")]
    [InlineData("TokenProxy-Workspace", "", "invalid_workspace")]
    [InlineData("TokenProxy-End-User", "carol\tdave", "invalid_end_user")]
    [InlineData("TokenProxy-End-User", "carol/dave", "invalid_end_user")]
    [InlineData("TokenProxy-End-User", "", "invalid_end_user")]
    public async Task A_malformed_scope_header_is_a_400_that_does_not_echo_it(string header, string value, string code)
    {
        using var request = Request(AnyKey);
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await _scenario.Proxy.Client.SendAsync(request);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, code);
        Assert.Contains(header, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_scenario.Api.Requests);
    }

    [Fact]
    public async Task An_overlong_or_repeated_scope_header_is_a_400()
    {
        using var overlong = Request(AnyKey);
        overlong.Headers.Add("TokenProxy-End-User", new string('a', 129));
        using var repeated = Request(AnyKey);
        repeated.Headers.Add("TokenProxy-Workspace", ["team-a", "team-b"]);

        using var overlongResponse = await _scenario.Proxy.Client.SendAsync(overlong);
        using var repeatedResponse = await _scenario.Proxy.Client.SendAsync(repeated);

        await Problems.AssertProblemAsync(overlongResponse, HttpStatusCode.BadRequest, "invalid_end_user");
        await Problems.AssertProblemAsync(repeatedResponse, HttpStatusCode.BadRequest, "invalid_workspace");
        Assert.Empty(_scenario.Api.Requests);
    }

    private async Task ImportAsync(string? workspace, string? endUser, string access)
    {
        using var response = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", workspace, endUser = endUser is null ? null : new { id = endUser }, accessToken = access }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(string key, string? workspace, string? endUser)
    {
        var request = Request(key);
        if (workspace is not null)
        {
            request.Headers.Add("TokenProxy-Workspace", workspace);
        }

        if (endUser is not null)
        {
            request.Headers.Add("TokenProxy-End-User", endUser);
        }

        return _scenario.Proxy.Client.SendAsync(request);
    }

    private static HttpRequestMessage Request(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/acme/a");
        request.Headers.ProxyAuthorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }
}
