using System.Net;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.OAuth;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Security;

/// <summary>
/// Threat: a secret leaks through a side channel (docs/architecture.md §6: H42). One run goes through every kind of
/// scenario — connect with a code and a PKCE verifier, refresh with rotation, a 401 replay, a rejected and
/// a failing refresh, problem answers, revoke, delete, the admin JSON and pages, the event log's API and rows — with logging at Trace and an
/// in-memory OpenTelemetry exporter; then every secret is searched for, in every encoding, in everything
/// the proxy emitted.
/// </summary>
public sealed class SecretLeakTests
{
    [Fact]
    public async Task No_token_code_verifier_or_client_secret_appears_in_logs_spans_metrics_problems_json_or_pages()
    {
        var telemetry = new CollectedTelemetry();
        // A provider-specific rule (as "Logging:Console:LogLevel:Default" would be) must not bring URL logging back.
        await using var scenario = await RefreshScenario.StartAsync(
            s => s["Logging:TokenProxy.Tests.Infrastructure.CapturedLogs:LogLevel:Default"] = "Trace", telemetry: telemetry, fakeClock: true);
        var secrets = new List<string> { FakeAuthorizationServer.ClientSecret };
        var seen = new System.Text.StringBuilder();
        async Task<string> Read(HttpResponseMessage response)
        {
            var text = $"{response.Headers}{response.Content.Headers}{await response.Content.ReadAsStringAsync()}";
            seen.Append(text);
            return text;
        }

        // Connect: the authorization code and the PKCE verifier are secrets too.
        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens(expiresIn: 3600, prefix: "CANARYconnect0123456789abcdef");
        using var browser = new ConnectFlow(scenario.Proxy.Address);
        var authorize = await browser.StartAsync("/admin/connect/acme");
        var code = Canary.New("code");
        secrets.Add(code);
        using var callback = await browser.CallbackAsync("acme", ("code", code), ("state", authorize["state"]));
        await Read(callback);
        var id = callback.Headers.Location!.OriginalString.Split('/', '?')[3];
        secrets.Add(scenario.Authorization.Forms.Last()["code_verifier"]);
        secrets.Add("CANARYconnect0123456789abcdefaccess-1");
        secrets.Add("CANARYconnect0123456789abcdefrefresh-1");

        // Refresh with rotation, then a 401 that forces another refresh and a replay.
        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens(expiresIn: 3600, prefix: "CANARYrefresh0123456789abcdef");
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        await Read(await scenario.Proxy.Client.GetAsync("/acme/after-expiry"));
        secrets.Add("CANARYrefresh0123456789abcdefaccess-2");
        secrets.Add("CANARYrefresh0123456789abcdefrefresh-2");
        scenario.Api.Respond = (context, request) =>
        {
            context.Response.StatusCode = request.Header("Authorization")!.EndsWith("access-2", StringComparison.Ordinal) ? 401 : 200;
            return Task.CompletedTask;
        };
        await Read(await scenario.Proxy.Client.PostAsync("/acme/replayed", new StringContent("{\"a\":1}")));
        secrets.Add("CANARYrefresh0123456789abcdefaccess-3");
        secrets.Add("CANARYrefresh0123456789abcdefrefresh-3");

        // A failing refresh, a rejected one, and the admin surface in between.
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(503);
        await Read(await scenario.Clock.RunAsync(() => scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"))));
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant","error_description":"refresh token revoked"}""");
        await Read(await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh")));
        await Read(await scenario.Proxy.Client.GetAsync("/acme/after-rejection"));
        await Read(await scenario.Proxy.Client.GetAsync("/admin/api/connections"));
        await Read(await scenario.Proxy.Client.GetAsync("/admin/api/events"));
        await Read(await scenario.Proxy.Client.GetAsync("/admin/connections"));
        await Read(await scenario.Proxy.Client.GetAsync($"/admin/connections/{id}"));
        await Read(await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke")));
        await Read(await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, $"/admin/api/connections/{id}")));

        // The durable event log, as the API, the pages and the stored rows hold it after all of that.
        var events = await Read(await scenario.Proxy.Client.GetAsync("/admin/api/events?limit=500"));
        await Read(await scenario.Proxy.Client.GetAsync("/admin/connections"));
        var stored = await scenario.Service<TokenProxy.Events.IEventStore>().ReadAfterAsync(0, 500, CancellationToken.None);
        seen.Append(System.Text.Json.JsonSerializer.Serialize(stored));
        foreach (var told in new[] { "connection.created", "connection.error", "connection.revoked", "connection.deleted" })
        {
            Assert.Contains(told, events, StringComparison.Ordinal);
        }

        // Everything the proxy emitted.
        var logs = scenario.Proxy.Logs.All;
        var exported = telemetry.AllText();
        Assert.Contains("tokenproxy.refresh", exported, StringComparison.Ordinal);
        Assert.Contains("Trace", logs, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Canary.AssertAbsent(secret, logs, "logs");
            Canary.AssertAbsent(secret, exported, "spans and metrics");
            Canary.AssertAbsent(secret, seen.ToString(), "responses, problem bodies, admin JSON and pages");
        }

        // And the secrets really were used, so their absence above means something.
        Assert.Contains(scenario.Api.Requests, r => r.Header("Authorization") == "Bearer CANARYrefresh0123456789abcdefaccess-3");
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
    }
}
