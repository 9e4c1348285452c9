using System.Diagnostics;
using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Telemetry;

/// <summary>Spans and metrics an operator relies on to see what happened (issue: observability).</summary>
[Collection(TelemetryTests.Collection)]
public sealed class TracingTests
{
    [Fact]
    public async Task Cache_hit_request_is_one_trace_from_the_app_through_the_proxy_to_the_upstream()
    {
        var telemetry = new CollectedTelemetry();
        await using var scenario = await RefreshScenario.StartAsync(telemetry: telemetry);
        var id = await scenario.ImportAsync();
        await scenario.Proxy.Client.GetAsync("/acme/warm");
        telemetry.Spans.Clear();

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user");
        var token = Assert.Single(telemetry.Named("tokenproxy.token", id));
        await telemetry.WaitForSpanAsync(s => s.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn" && s.SpanId == token.ParentSpanId);
        Assert.Equal(true, token.GetTagItem("tokenproxy.cache.hit"));
        Assert.Equal("acme", token.GetTagItem("tokenproxy.provider"));
        Assert.Equal(id, token.GetTagItem("tokenproxy.connection.id"));
        Assert.Equal("active", token.GetTagItem("tokenproxy.connection.status"));
        // The proxy's server span is the token span's parent (the in-process upstream adds its own server span to the trace too).
        var server = telemetry.Named("Microsoft.AspNetCore.Hosting.HttpRequestIn").Single(s => s.SpanId == token.ParentSpanId);
        Assert.Equal(ActivityKind.Server, server.Kind);
        var outgoing = telemetry.Spans.Where(s => s.Kind == ActivityKind.Client && s.TraceId == token.TraceId).ToList();
        Assert.NotEmpty(outgoing);
        // Trace context reaches the provider's API: the upstream sees the proxy's trace.
        var traceparent = scenario.Api.Requests.Last().Header("traceparent");
        Assert.NotNull(traceparent);
        Assert.Contains(token.TraceId.ToHexString(), traceparent, StringComparison.Ordinal);
        Assert.Contains(outgoing, s => traceparent.Contains(s.SpanId.ToHexString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Query_strings_are_cut_from_every_recorded_url()
    {
        var telemetry = new CollectedTelemetry();
        // Even with the instrumentation's own redaction turned off, as an operator debugging might do.
        await using var scenario = await RefreshScenario.StartAsync(
            s =>
            {
                s["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true";
                s["OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION"] = "true";
            },
            telemetry: telemetry);
        var id = await scenario.ImportAsync();
        var key = Canary.New("apikey");

        using var response = await scenario.Proxy.Client.GetAsync($"/acme/user?api_key={key}");
        await telemetry.WaitForSpanAsync(s => s.OperationName == "tokenproxy.token" && s.GetTagItem("tokenproxy.connection.id") as string == id);
        var token = Assert.Single(telemetry.Named("tokenproxy.token", id));
        await telemetry.WaitForSpanAsync(s => s.Kind == ActivityKind.Server && s.SpanId == token.ParentSpanId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(key, scenario.Api.Requests.Last().PathAndQuery, StringComparison.Ordinal);
        Canary.AssertAbsent(key, telemetry.AllText(), "spans");
        var outgoing = telemetry.Spans.Where(s => s.Kind == ActivityKind.Client && s.TraceId == token.TraceId).ToList();
        Assert.Contains(outgoing, s => s.GetTagItem("url.full") is string url && url.EndsWith("/user?*", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Expired_token_refresh_is_a_child_span_of_the_request_that_waited_for_it()
    {
        var telemetry = new CollectedTelemetry();
        await using var scenario = await RefreshScenario.StartAsync(telemetry: telemetry, fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user");
        await telemetry.WaitForSpanAsync(s => s.OperationName == "tokenproxy.token" && s.GetTagItem("tokenproxy.connection.id") as string == id);

        var refresh = Assert.Single(telemetry.Named("tokenproxy.refresh", id));
        var token = Assert.Single(telemetry.Named("tokenproxy.token", id));
        Assert.Equal("expiring", refresh.GetTagItem("tokenproxy.refresh.reason"));
        Assert.Equal("success", refresh.GetTagItem("tokenproxy.refresh.outcome"));
        Assert.Equal(1, refresh.GetTagItem("tokenproxy.refresh.attempts"));
        Assert.Equal(id, refresh.GetTagItem("tokenproxy.connection.id"));
        Assert.Equal(ActivityStatusCode.Unset, refresh.Status);
        Assert.Equal(token.SpanId, refresh.ParentSpanId);
        Assert.False((bool)token.GetTagItem("tokenproxy.cache.hit")!);
        // The call to the token endpoint is a child of the refresh.
        Assert.Contains(telemetry.Spans, s => s.Kind == ActivityKind.Client && s.ParentSpanId == refresh.SpanId);
        telemetry.Reader.Collect();
        Assert.Contains(telemetry.Points, p => p.Name == "tokenproxy.refreshes" && (string?)p.Tags["tokenproxy.refresh.outcome"] == "success" && p.Value >= 1);
        Assert.Contains(telemetry.Points, p => p.Name == "tokenproxy.refresh.duration");
        Assert.Contains(telemetry.Points, p => p.Name == "tokenproxy.cache.lookups" && Equals(p.Tags["tokenproxy.cache.hit"], false));
    }

    [Fact]
    public async Task Invalid_grant_refresh_is_an_error_span_with_the_oauth_error_and_an_event()
    {
        var telemetry = new CollectedTelemetry();
        await using var scenario = await RefreshScenario.StartAsync(telemetry: telemetry, fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant","error_description":"Token revoked by user"}""");
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user");
        var events = JsonDocument.Parse(await scenario.Proxy.Client.GetStringAsync("/admin/api/events")).RootElement;
        await telemetry.WaitForSpanAsync(s => s.OperationName == "tokenproxy.token" && s.GetTagItem("tokenproxy.connection.id") as string == id);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var refresh = Assert.Single(telemetry.Named("tokenproxy.refresh", id));
        Assert.Equal(ActivityStatusCode.Error, refresh.Status);
        Assert.Equal("invalid_grant: Token revoked by user", refresh.StatusDescription);
        Assert.Equal("invalid_grant", refresh.GetTagItem("tokenproxy.refresh.outcome"));
        Assert.Equal("error", refresh.GetTagItem("tokenproxy.connection.status"));
        var token = Assert.Single(telemetry.Named("tokenproxy.token", id));
        Assert.Equal(ActivityStatusCode.Error, token.Status);
        Assert.Equal("reconnect_required", token.GetTagItem("tokenproxy.failure"));
        var rejected = Assert.Single(events.GetProperty("items").EnumerateArray(), e => e.GetProperty("type").GetString() == "connection.error");
        Assert.Equal(id, rejected.GetProperty("connectionId").GetString());
        Assert.Equal("app", rejected.GetProperty("actor").GetString());
        Assert.Equal("invalid_grant", rejected.GetProperty("data").GetProperty("error").GetString());
        // The same fact on the span where it happened, with the same attributes.
        var spanEvent = Assert.Single(refresh.Events, e => e.Name == "connection.error");
        Assert.Equal(id, spanEvent.Tags.Single(t => t.Key == "tokenproxy.connection.id").Value);
        Assert.Equal("invalid_grant", spanEvent.Tags.Single(t => t.Key == "tokenproxy.error.code").Value);
        Assert.Equal("app", spanEvent.Tags.Single(t => t.Key == "tokenproxy.event.actor").Value);
        telemetry.Reader.Collect();
        Assert.Contains(telemetry.Points, p => p.Name == "tokenproxy.injection.failures" && (string?)p.Tags["tokenproxy.failure"] == "reconnect_required");
    }

    [Fact]
    public async Task Revoke_is_a_span_with_its_result()
    {
        var telemetry = new CollectedTelemetry();
        await using var scenario = await RefreshScenario.StartAsync(telemetry: telemetry);
        var id = await scenario.ImportAsync();

        await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        await telemetry.WaitForSpanAsync(s => s.OperationName == "tokenproxy.revoke" && s.GetTagItem("tokenproxy.connection.id") as string == id);

        var revoke = Assert.Single(telemetry.Named("tokenproxy.revoke", id));
        Assert.Equal(id, revoke.GetTagItem("tokenproxy.connection.id"));
        Assert.Equal("acme", revoke.GetTagItem("tokenproxy.provider"));
        Assert.Equal("revoked", revoke.GetTagItem("tokenproxy.revoke.result"));
        Assert.Equal(ActivityStatusCode.Unset, revoke.Status);
    }

    [Fact]
    public async Task Traces_reach_a_real_otlp_http_receiver()
    {
        var received = new System.Collections.Concurrent.ConcurrentQueue<(string Path, string? ContentType, byte[] Body)>();
        await using var collector = await LoopbackServer.StartAsync(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path, context.Request.ContentType, body.ToArray()));
        });
        await using (var scenario = await ProxyScenario.StartAsync((settings, _) =>
        {
            settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.AbsoluteUri;
            settings["TokenProxy:Telemetry:SamplingRatio"] = "1";
        }))
        {
            await scenario.Proxy.ImportAsync("acme", Canary.New("access"));
            await scenario.Proxy.Client.GetAsync("/acme/user");
        }

        // Stopping the proxy flushed the batch.
        var traces = received.Where(r => r.Path == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        Assert.All(traces, t => Assert.Equal("application/x-protobuf", t.ContentType));
        var payload = traces.SelectMany(t => t.Body).ToArray();
        Assert.True(payload.AsSpan().IndexOf("tokenproxy.token"u8) >= 0, "the proxy's span name is in the OTLP payload");
        Assert.True(payload.AsSpan().IndexOf("tokenproxy"u8) >= 0);
        Assert.Contains(received, r => r.Path == "/v1/metrics");
    }

    [Fact]
    public async Task Without_an_exporter_no_span_is_started_and_the_apps_trace_context_reaches_the_api_unchanged()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(ProxyHost.Provider("acme", upstream.Address));
        await proxy.ImportAsync("acme", Canary.New("access"));
        const string AppContext = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        using var traced = new HttpRequestMessage(HttpMethod.Get, "/acme/user");
        traced.Headers.Add("traceparent", AppContext);
        using var withContext = await proxy.Client.SendAsync(traced);
        using var withoutContext = await proxy.Client.GetAsync("/acme/user");

        Assert.Equal(HttpStatusCode.OK, withContext.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withoutContext.StatusCode);
        var requests = upstream.Requests.ToArray();
        // A span of the proxy would have replaced the parent id (or started a trace of its own): nothing records it.
        Assert.Equal(AppContext, requests[0].Header("traceparent"));
        Assert.Null(requests[1].Header("traceparent"));
    }

    [Fact]
    public async Task With_an_exporter_only_a_recorded_trace_reaches_the_api_with_the_proxys_context_and_an_unsampled_request_as_the_app_sent_it()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var sampledTrace = ActivityTraceId.CreateRandom().ToHexString();
        var unsampledTrace = ActivityTraceId.CreateRandom().ToHexString();
        var sampled = $"00-{sampledTrace}-b7ad6b7169203331-01";
        var unsampled = $"00-{unsampledTrace}-b7ad6b7169203331-00";
        RecordedRequest[] requests;
        await using (var scenario = await RefreshScenario.StartAsync(s =>
        {
            s["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address.AbsoluteUri;
            // New traces are never sampled; a caller's sampled trace is continued (parent-based).
            s["TokenProxy:Telemetry:SamplingRatio"] = "0";
        }))
        {
            await scenario.ImportAsync();
            // An app that sends only the trace context it is given: this process listens for spans, and HttpClient
            // would otherwise send one of its own.
            using var app = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = scenario.Proxy.Address };
            foreach (var (path, traceparent) in new[] { ("/acme/sampled-trace", sampled), ("/acme/dropped-trace", unsampled), ("/acme/no-trace", null) })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (traceparent is not null)
                {
                    request.Headers.Add("traceparent", traceparent);
                }

                using var response = await app.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            requests = scenario.Api.Requests.ToArray();
        }

        // Stopping the proxy flushed the exporter's batch. The recorded trace: the API sees the proxy's client span as
        // the parent, and that span was exported.
        var passed = Assert.Single(requests, r => r.PathAndQuery.EndsWith("/sampled-trace", StringComparison.Ordinal)).Header("traceparent");
        Assert.NotNull(passed);
        Assert.StartsWith($"00-{sampledTrace}-", passed, StringComparison.Ordinal);
        Assert.EndsWith("-01", passed, StringComparison.Ordinal);
        var parent = passed.Split('-')[2];
        Assert.NotEqual("b7ad6b7169203331", parent);
        var client = Assert.Single(receiver.Spans, s => s.SpanId == parent);
        Assert.Equal(OtlpSpan.Client, client.Kind);
        Assert.Equal(sampledTrace, client.TraceId);
        // The unsampled ones: the trace context the app sent, or none, as through a proxy that does not trace.
        Assert.Equal(unsampled, Assert.Single(requests, r => r.PathAndQuery.EndsWith("/dropped-trace", StringComparison.Ordinal)).Header("traceparent"));
        Assert.Null(Assert.Single(requests, r => r.PathAndQuery.EndsWith("/no-trace", StringComparison.Ordinal)).Header("traceparent"));
        Assert.DoesNotContain(receiver.Spans, s => s.TraceId == unsampledTrace);
    }
}
