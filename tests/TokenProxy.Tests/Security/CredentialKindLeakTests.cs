using System.Net;
using System.Text;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Proxy;

namespace TokenProxy.Tests.Security;

/// <summary>
/// Threat: an API key or a Basic password leaks through a side channel (docs/architecture.md §6: H42). A key in the
/// query string is in the URL the forwarder sends, which the HttpClient instrumentation records as <c>url.full</c> and
/// a failed forward can describe. Every use and failure of each kind runs with logging at Trace and spans recorded;
/// then each secret is searched for, in every encoding, in everything the proxy emitted.
/// </summary>
public sealed class CredentialKindLeakTests
{
    [Fact]
    public async Task No_api_key_or_basic_password_appears_in_logs_spans_metrics_problems_json_or_pages()
    {
        var telemetry = new CollectedTelemetry();
        var closedPort = ProxyHost.FreePort();
        await using var scenario = await ProxyScenario.StartAsync(
            configure: (settings, api) =>
            {
                CredentialKindTests.Configure(settings, api);
                // A query key on an API that does not answer: the failed forward is logged and traced.
                settings["TokenProxy:Providers:down:ApiBaseUrl"] = $"http://127.0.0.1:{closedPort}/";
                settings["TokenProxy:Providers:down:Auth"] = "ApiKey";
                settings["TokenProxy:Providers:down:ApiKey:Query"] = "api_key";
                settings[CollectedTelemetry.RecordEverything.Key] = CollectedTelemetry.RecordEverything.Value;
            },
            telemetry: telemetry);
        var client = scenario.Proxy.Client;
        var seen = new StringBuilder();
        async Task<HttpResponseMessage> Read(HttpResponseMessage response)
        {
            seen.Append(response.Headers).Append(response.Content.Headers).Append(await response.Content.ReadAsStringAsync());
            return response;
        }

        var headerKey = Canary.New("headerkey");
        var queryKey = Canary.New("querykey");
        var downKey = Canary.New("downkey");
        var password = Canary.New("password");
        var basicKey = Canary.New("basickey");
        // The key sent as Basic credentials is base64 of "key:X", a form of its own.
        string[] secrets = [headerKey, queryKey, downKey, password, basicKey, $"{basicKey}:X"];
        var ids = new List<string>();
        foreach (var body in new object[]
        {
            new { provider = "headerkey", apiKey = headerKey },
            new { provider = "querykey", apiKey = queryKey },
            new { provider = "down", apiKey = downKey },
            new { provider = "basic", username = "agent@example.com", password },
            new { provider = "basickey", apiKey = basicKey },
        })
        {
            using var created = await Read(await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", body)));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ids.Add(created.Headers.Location!.OriginalString.Split('/')[^1]);
        }

        // Accepted, refused with 401, and a forward that fails; each kind.
        foreach (var path in new[] { "/headerkey/a", "/querykey/a?api_key=app&x=1", "/basic/a", "/basickey/a", "/down/a?x=1" })
        {
            (await Read(await client.GetAsync(path))).Dispose();
        }

        scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = 401;
            return Task.CompletedTask;
        };
        foreach (var path in new[] { "/headerkey/b", "/querykey/b", "/basic/b", "/basickey/b" })
        {
            (await Read(await client.GetAsync(path))).Dispose();
        }

        // The admin surface, a refused refresh, a revoke, and an import that is refused (its problem must not echo the key).
        (await Read(await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new { provider = "acme", apiKey = headerKey })))).Dispose();
        (await Read(await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new { provider = "basic", username = "a:b", password })))).Dispose();
        (await Read(await client.GetAsync("/admin/api/connections"))).Dispose();
        (await Read(await client.GetAsync("/admin/api/events"))).Dispose();
        (await Read(await client.GetAsync("/admin/connections"))).Dispose();
        (await Read(await client.GetAsync("/admin/providers"))).Dispose();
        (await Read(await client.GetAsync("/admin/api/providers"))).Dispose();
        foreach (var form in new[] { "headerkey/import", "querykey/import", "basickey/import", "basic/import?kind=basic", "basic/import?kind=bearer" })
        {
            (await Read(await client.GetAsync($"/admin/providers/{form}"))).Dispose();
        }

        foreach (var id in ids)
        {
            (await Read(await client.GetAsync($"/admin/connections/{id}"))).Dispose();
            (await Read(await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh")))).Dispose();
        }

        (await Read(await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{ids[1]}/revoke")))).Dispose();

        var logs = scenario.Proxy.Logs.All;
        var exported = telemetry.AllText();
        // The outgoing request's span was recorded (with its URL, redacted), so the absence below means something.
        Assert.Contains("url.full=http://127.0.0.1:", exported, StringComparison.Ordinal);
        Assert.Contains("Trace", logs, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Canary.AssertAbsent(secret, logs, "logs");
            Canary.AssertAbsent(secret, exported, "spans and metrics");
            Canary.AssertAbsent(secret, seen.ToString(), "responses, problem bodies, admin JSON and pages");
        }

        // And the secrets really were used.
        Assert.Contains(scenario.Api.Requests, r => r.Header("X-Api-Key") == $"Token token={headerKey}");
        Assert.Contains(scenario.Api.Requests, r => r.PathAndQuery == $"/v1/a?x=1&api_key={queryKey}");
        Assert.Contains(scenario.Api.Requests, r => r.Header("Authorization") == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"agent@example.com:{password}")));
        Assert.Contains(scenario.Api.Requests, r => r.Header("Authorization") == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basicKey}:X")));
    }
}
