using System.Net;
using System.Text;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// Revocation endpoints that are not RFC 7009, described as data (<c>Revocation</c>, docs/architecture.md "Provider
/// quirks"): each request exactly as that provider's documentation shows it, against a recording fake of its endpoint.
/// </summary>
public sealed class DescribedRevocationTests
{
    [Fact]
    public async Task GitHub_style_revocation_deletes_the_grant_with_basic_client_auth_and_the_access_token_in_a_json_body()
    {
        await using var revoker = await RecordingUpstream.StartAsync();
        revoker.Respond = NoContent;
        await using var scenario = await StartAsync(revoker, new()
        {
            ["Url"] = revoker.Address.AbsoluteUri.TrimEnd('/') + "/applications/{client_id}/grant",
            ["Method"] = "DELETE",
            ["ClientAuth"] = "basic",
            ["TokenIn"] = "json",
            ["TokenField"] = "access_token",
            ["Tokens"] = "access",
        });
        var id = await scenario.ImportAsync(access: "gho_access", refresh: "ghr_refresh");

        var body = await RevokeAsync(scenario, id);

        var request = Assert.Single(revoker.Requests);
        Assert.Equal("DELETE", request.Method);
        Assert.Equal("/applications/test-client/grant", request.PathAndQuery);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"test-client:{FakeAuthorizationServer.ClientSecret}")), request.Header("Authorization"));
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("""{"access_token":"gho_access"}""", Encoding.UTF8.GetString(request.Body));
        Assert.Equal("revoked", body.GetProperty("revocation").GetProperty("result").GetString());
        Assert.Equal("access_token", Assert.Single(body.GetProperty("revocation").GetProperty("tokens").EnumerateArray()).GetProperty("type").GetString());
        Assert.Empty(scenario.Authorization.Revocations);
    }

    [Fact]
    public async Task HubSpot_style_revocation_deletes_the_refresh_token_named_in_the_path_without_a_body_or_credentials()
    {
        await using var revoker = await RecordingUpstream.StartAsync();
        revoker.Respond = NoContent;
        await using var scenario = await StartAsync(revoker, new()
        {
            ["Url"] = revoker.Address.AbsoluteUri.TrimEnd('/') + "/oauth/v1/refresh-tokens/{token}",
            ["Method"] = "DELETE",
            ["ClientAuth"] = "none",
            ["TokenIn"] = "path",
            ["Tokens"] = "refresh",
        });
        // A token with characters that would change the path if they were not escaped.
        var id = await scenario.ImportAsync(access: "hub-access", refresh: "na1/../x+y?z");

        var body = await RevokeAsync(scenario, id);

        var request = Assert.Single(revoker.Requests);
        Assert.Equal("DELETE", request.Method);
        Assert.Equal("/oauth/v1/refresh-tokens/na1%2F..%2Fx%2By%3Fz", request.PathAndQuery);
        Assert.Null(request.Header("Authorization"));
        Assert.Empty(request.Body);
        Assert.Equal("revoked", body.GetProperty("revocation").GetProperty("result").GetString());
    }

    [Fact]
    public async Task Notion_style_revocation_carries_the_providers_fixed_headers_but_no_per_connection_one()
    {
        await using var revoker = await RecordingUpstream.StartAsync();
        revoker.Respond = NoContent;
        await using var scenario = await StartAsync(
            revoker,
            new()
            {
                ["Url"] = revoker.Address.AbsoluteUri.TrimEnd('/') + "/v1/oauth/revoke",
                ["ClientAuth"] = "basic",
                ["TokenIn"] = "json",
                ["Tokens"] = "access",
            },
            settings =>
            {
                // Notion refuses a revocation without its version header, as it refuses any API call.
                settings["TokenProxy:Providers:acme:Headers:Notion-Version"] = "2025-09-03";
                settings["TokenProxy:Providers:acme:Headers:Accept"] = "application/vnd.acme+json";
            });
        var id = await scenario.ImportAsync(access: "ntn_access", refresh: "ntn_refresh");

        var body = await RevokeAsync(scenario, id);

        var request = Assert.Single(revoker.Requests);
        Assert.Equal("2025-09-03", request.Header("Notion-Version"));
        // The revocation answer is read as JSON, whatever the API's own media type.
        Assert.Equal("application/json", request.Header("Accept"));
        Assert.Equal("""{"token":"ntn_access"}""", Encoding.UTF8.GetString(request.Body));
        Assert.Equal("revoked", body.GetProperty("revocation").GetProperty("result").GetString());
    }

    [Fact]
    public async Task A_provider_that_answers_ok_false_in_a_200_did_not_revoke()
    {
        await using var revoker = await RecordingUpstream.StartAsync();
        revoker.Respond = (context, _) => context.Response.WriteAsJsonAsync(new { ok = false, error = "invalid_auth" });
        await using var scenario = await StartAsync(revoker, new()
        {
            ["Url"] = revoker.Address.AbsoluteUri.TrimEnd('/') + "/api/auth.revoke",
            ["ClientAuth"] = "none",
            ["Tokens"] = "access",
        });
        var id = await scenario.ImportAsync(access: "xoxp-access", refresh: null);

        var body = await RevokeAsync(scenario, id);

        var request = Assert.Single(revoker.Requests);
        Assert.Equal(("POST", "token=xoxp-access"), (request.Method, Encoding.UTF8.GetString(request.Body)));
        Assert.Equal("failed", body.GetProperty("revocation").GetProperty("result").GetString());
        Assert.Contains("invalid_auth", body.GetProperty("revocation").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("revoked", body.GetProperty("connection").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_connection_without_the_token_kind_the_provider_revokes_is_revoked_here_only()
    {
        await using var revoker = await RecordingUpstream.StartAsync();
        await using var scenario = await StartAsync(revoker, new()
        {
            ["Url"] = revoker.Address.AbsoluteUri.TrimEnd('/') + "/oauth/v1/refresh-tokens/{token}",
            ["Method"] = "DELETE",
            ["TokenIn"] = "path",
            ["Tokens"] = "refresh",
        });
        var id = await scenario.ImportAsync(access: "only-access", refresh: null);

        var body = await RevokeAsync(scenario, id);

        Assert.Empty(revoker.Requests);
        Assert.Equal("not_supported", body.GetProperty("revocation").GetProperty("result").GetString());
        Assert.Equal("revoked", body.GetProperty("connection").GetProperty("status").GetString());
    }

    /// <summary>GitHub and HubSpot answer a revocation with 204.</summary>
    private static Task NoContent(HttpContext context, RecordedRequest request)
    {
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    internal static Task<RefreshScenario> StartAsync(RecordingUpstream revoker, Dictionary<string, string> revocation, Action<Dictionary<string, string?>>? configure = null) =>
        RefreshScenario.StartAsync(settings =>
        {
            settings.Remove("TokenProxy:Providers:acme:RevocationUrl");
            foreach (var (key, value) in revocation)
            {
                settings[$"TokenProxy:Providers:acme:Revocation:{key}"] = value;
            }

            configure?.Invoke(settings);
        });

    private static async Task<JsonElement> RevokeAsync(RefreshScenario scenario, string id)
    {
        using var response = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
