using System.Diagnostics;
using System.Text;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Webhooks;

namespace TokenProxy.Tests.Security;

/// <summary>
/// Threat: a webhook's secret, or a connection's token, leaks through a side channel or a payload. With logging at Trace
/// and every span recorded, a configured webhook and one made through the API deliver events, a test event, a refused
/// save, a key rotation; then each secret is searched for, in every encoding, in logs, spans, API answers, the webhooks
/// page and every body the receivers got.
/// </summary>
public sealed class WebhookSecretLeakTests
{
    [Fact]
    public async Task Webhook_secrets_and_connection_tokens_never_appear_in_logs_spans_answers_pages_or_payloads()
    {
        var configuredSecret = Canary.New("whsec");
        var apiSecret = Canary.New("whsecapi");
        var access = Canary.New("access");
        var refresh = Canary.New("refresh");
        await using var configured = await WebhookReceiver.StartAsync(configuredSecret);
        await using var made = await WebhookReceiver.StartAsync(apiSecret);
        var telemetry = new CollectedTelemetry();
        var settings = WebhookSetup.Settings(configured.Url, configuredSecret);
        settings.Add(CollectedTelemetry.RecordEverything.Key, CollectedTelemetry.RecordEverything.Value);
        await using var proxy = await ProxyHost.StartAsync(settings, telemetry: telemetry);
        var seen = new StringBuilder();
        async Task SendAsync(HttpMethod method, string path, object? body = null)
        {
            using var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(method, path, body));
            seen.Append(await response.Content.ReadAsStringAsync());
        }

        await SendAsync(HttpMethod.Put, "/admin/api/webhooks/made", new { url = made.Url, secret = apiSecret, events = new[] { "connection.created" } });
        await SendAsync(HttpMethod.Put, "/admin/api/webhooks/refused", new { url = "http://10.0.0.1/", secret = Canary.New("refused"), events = new[] { "x" } });
        await SendAsync(HttpMethod.Post, "/admin/api/connections", new { provider = "acme", accessToken = access, refreshToken = refresh });
        await SendAsync(HttpMethod.Post, "/admin/api/webhooks/made/test");
        await configured.WaitForAsync(r => r.Count >= 1, "the connection.created event");
        await made.WaitForAsync(r => r.Count >= 2, "the event and the test event");
        await SendAsync(HttpMethod.Post, "/admin/api/vault/rotate-key");
        await SendAsync(HttpMethod.Get, "/admin/api/webhooks");
        await SendAsync(HttpMethod.Get, "/admin/api/webhooks/made");
        await SendAsync(HttpMethod.Get, "/admin/api/webhooks/made/deliveries");
        await SendAsync(HttpMethod.Get, "/admin/api/webhooks/hook/deliveries");
        await SendAsync(HttpMethod.Get, "/admin/webhooks");
        await telemetry.WaitForSpanAsync(s => s.OperationName == "tokenproxy.webhook.delivery" && s.GetTagItem("tokenproxy.event.type") is "webhook.test");

        var logs = proxy.Logs.All;
        var exported = telemetry.AllText(exclude: s => s.Kind == ActivityKind.Client && s.GetTagItem("server.port") is int port && port == proxy.Address.Port);
        var payloads = string.Join('\n', configured.Requests.Concat(made.Requests).Select(r => r.Body + r.Signature));
        // The deliveries happened and were traced, and the page listed both webhooks: the absence below means something.
        Assert.Contains("tokenproxy.webhook.delivery", exported, StringComparison.Ordinal);
        Assert.Contains("data-webhook=\"made\"", seen.ToString(), StringComparison.Ordinal);
        Assert.Contains("data-webhook=\"hook\"", seen.ToString(), StringComparison.Ordinal);
        Assert.All(configured.Requests.Concat(made.Requests), r => Assert.True(r.SignatureValid));
        foreach (var secret in new[] { configuredSecret, apiSecret })
        {
            Canary.AssertAbsent(secret, logs, "logs");
            Canary.AssertAbsent(secret, exported, "spans and metrics");
            Canary.AssertAbsent(secret, seen.ToString(), "admin answers and the webhooks page");
            Canary.AssertAbsent(secret, payloads, "webhook payloads");
        }

        foreach (var token in new[] { access, refresh })
        {
            Canary.AssertAbsent(token, payloads, "webhook payloads");
            Canary.AssertAbsent(token, logs, "logs");
        }
    }
}
