using System.Text;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Security;

/// <summary>
/// Threat: a token revoked through its address (HubSpot's <c>DELETE /oauth/v1/refresh-tokens/{token}</c>, a query
/// parameter) leaks through that address: HttpClientFactory's request logs and the HttpClient instrumentation's
/// <c>url.full</c> record it. Revokes that succeed and that fail run with logging at Trace and spans recorded; then the
/// tokens are searched for, in every encoding, in everything the proxy emitted.
/// </summary>
public sealed class RevocationLeakTests
{
    [Fact]
    public async Task A_token_in_the_revocation_path_or_query_appears_in_no_log_span_event_problem_or_page()
    {
        var telemetry = new CollectedTelemetry();
        await using var revoker = await RecordingUpstream.StartAsync();
        revoker.Respond = (context, request) =>
        {
            // The "down" endpoint fails every time: its failure is logged and traced (with retries).
            context.Response.StatusCode = request.PathAndQuery.StartsWith("/down/", StringComparison.Ordinal) ? 500 : 204;
            return Task.CompletedTask;
        };
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            settings.Remove("TokenProxy:Providers:acme:RevocationUrl");
            settings["TokenProxy:Providers:acme:Revocation:Url"] = revoker.Address.AbsoluteUri.TrimEnd('/') + "/oauth/v1/refresh-tokens/{token}";
            settings["TokenProxy:Providers:acme:Revocation:Method"] = "DELETE";
            settings["TokenProxy:Providers:acme:Revocation:TokenIn"] = "path";
            settings["TokenProxy:Providers:acme:Revocation:Tokens"] = "refresh";
            foreach (var (name, url, tokenIn) in new[] { ("down", "/down/{token}", "path"), ("query", "/revoke", "query") })
            {
                settings[$"TokenProxy:Providers:{name}:ApiBaseUrl"] = settings["TokenProxy:Providers:acme:ApiBaseUrl"];
                settings[$"TokenProxy:Providers:{name}:Revocation:Url"] = revoker.Address.AbsoluteUri.TrimEnd('/') + url;
                settings[$"TokenProxy:Providers:{name}:Revocation:TokenIn"] = tokenIn;
                settings[$"TokenProxy:Providers:{name}:Revocation:ClientAuth"] = "none";
            }
        }, telemetry: telemetry);
        var client = scenario.Proxy.Client;
        var seen = new StringBuilder();
        async Task Read(HttpRequestMessage request)
        {
            using var response = await client.SendAsync(request);
            seen.Append(response.Headers).Append(response.Content.Headers).Append(await response.Content.ReadAsStringAsync());
        }

        var tokens = new Dictionary<string, (string Access, string Refresh)>
        {
            ["acme"] = (Canary.New("access"), Canary.New("refresh")),
            ["down"] = (Canary.New("access"), Canary.New("refresh")),
            ["query"] = (Canary.New("access"), Canary.New("refresh")),
        };
        var ids = new List<string>();
        foreach (var (provider, (access, refresh)) in tokens)
        {
            ids.Add((await scenario.Proxy.ImportAsync(provider, access, refreshToken: refresh)).GetProperty("id").GetString()!);
        }

        foreach (var id in ids)
        {
            await Read(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
            await Read(new HttpRequestMessage(HttpMethod.Get, $"/admin/connections/{id}"));
        }

        await Read(new HttpRequestMessage(HttpMethod.Get, "/admin/api/connections"));
        await Read(new HttpRequestMessage(HttpMethod.Get, "/admin/api/events"));

        var logs = scenario.Proxy.Logs.All;
        // The fake provider runs in this process: its own server spans (the provider's side of the wire) are not the proxy's.
        var providerSide = $"|server.port={revoker.Address.Port}|";
        var exported = string.Join('\n', telemetry.AllText().Split('\n')
            .Where(line => !(line.StartsWith("Microsoft.AspNetCore.Hosting.HttpRequestIn|", StringComparison.Ordinal) && line.Contains(providerSide, StringComparison.Ordinal))));
        // The revocation requests were traced, with {token} where the token went, so the absence below means something.
        Assert.Contains("/oauth/v1/refresh-tokens/{token}", exported, StringComparison.Ordinal);
        Assert.Contains("revocation endpoint did not revoke the connection's refresh_token", logs, StringComparison.Ordinal);
        foreach (var (access, refresh) in tokens.Values)
        {
            foreach (var secret in new[] { access, refresh })
            {
                Canary.AssertAbsent(secret, logs, "logs");
                Canary.AssertAbsent(secret, exported, "spans and metrics");
                Canary.AssertAbsent(secret, seen.ToString(), "responses, problem bodies, admin JSON and pages");
            }
        }

        // And the tokens really went out in the address.
        Assert.Contains(revoker.Requests, r => r.PathAndQuery == $"/oauth/v1/refresh-tokens/{tokens["acme"].Refresh}");
        Assert.Contains(revoker.Requests, r => r.PathAndQuery == $"/down/{tokens["down"].Refresh}");
        Assert.Contains(revoker.Requests, r => r.PathAndQuery == $"/revoke?token={tokens["query"].Access}");
    }
}
