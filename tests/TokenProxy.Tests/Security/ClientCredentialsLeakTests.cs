using System.Net;
using System.Text;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Security;

/// <summary>
/// Threat: the client secret the proxy sends at every client credentials grant, or a token such a grant issued, leaks
/// through a side channel (docs/architecture.md §6: H42). Every path of the kind runs against the real oidc-provider with
/// logging at Trace and spans recorded — create, use, renewal on 401, refresh-now, a refused create, the pages, revoke —
/// then each secret is searched for, in every encoding, in everything the proxy emitted.
/// </summary>
public sealed class ClientCredentialsLeakTests
{
    [Fact]
    public async Task Client_secret_and_issued_tokens_never_appear_in_logs_spans_problems_json_or_pages()
    {
        var telemetry = new CollectedTelemetry();
        await using var scenario = await ClientCredentialsScenario.StartAsync(telemetry: telemetry);
        var client = scenario.Proxy.Client;
        var seen = new StringBuilder();
        async Task<HttpResponseMessage> Read(HttpResponseMessage response)
        {
            seen.Append(response.Headers).Append(response.Content.Headers).Append(await response.Content.ReadAsStringAsync());
            return response;
        }

        using var created = await Read(await scenario.CreateAsync("robot"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = created.Headers.Location!.OriginalString.Split('/')[^1];
        (await Read(await scenario.CallAsync())).Dispose();
        var first = scenario.LastToken;
        scenario.Api.Respond = (context, request) =>
        {
            context.Response.StatusCode = request.Header("Authorization") == $"Bearer {first}" ? 401 : 200;
            return Task.CompletedTask;
        };
        (await Read(await scenario.CallAsync())).Dispose();
        (await Read(await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh")))).Dispose();
        (await Read(await scenario.CallAsync())).Dispose();
        (await Read(await scenario.CreateAsync("refused", ["api:admin"]))).Dispose();
        (await Read(await client.GetAsync("/admin/api/connections"))).Dispose();
        (await Read(await client.GetAsync("/admin/api/events"))).Dispose();
        (await Read(await client.GetAsync("/admin/connections"))).Dispose();
        (await Read(await client.GetAsync($"/admin/connections/{id}"))).Dispose();
        (await Read(await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke")))).Dispose();
        (await Read(await scenario.CallAsync())).Dispose();

        var tokens = scenario.Api.Requests.Select(r => r.Header("Authorization")).OfType<string>().Select(h => h["Bearer ".Length..]).Distinct().ToList();
        var logs = scenario.Proxy.Logs.All;
        var exported = telemetry.AllText();
        // Three grants issued three tokens, the API saw them, and spans were recorded: the absence below means something.
        Assert.Equal(3, tokens.Count);
        Assert.Contains("tokenproxy.refresh", exported, StringComparison.Ordinal);
        Assert.Contains("Trace", logs, StringComparison.Ordinal);
        foreach (var secret in tokens.Append(OidcProviderServer.ClientSecret))
        {
            Canary.AssertAbsent(secret, logs, "logs");
            Canary.AssertAbsent(secret, exported, "spans and metrics");
            Canary.AssertAbsent(secret, seen.ToString(), "responses, problem bodies, admin JSON and pages");
        }
    }
}
