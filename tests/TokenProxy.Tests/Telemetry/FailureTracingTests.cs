using System.Net;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Telemetry;

/// <summary>Failures reach the collector whatever the sampling of proxied requests.</summary>
[Collection(TelemetryTests.Collection)]
public sealed class FailureTracingTests
{
    [Fact]
    public async Task Failed_refreshes_through_the_proxy_and_the_admin_api_reach_a_real_otlp_receiver_at_sampling_ratio_0()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        string proxied, manual;
        await using (var scenario = await RefreshScenario.StartAsync(s =>
        {
            s["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address.AbsoluteUri;
            s["TokenProxy:Telemetry:SamplingRatio"] = "0";
        }, fakeClock: true))
        {
            proxied = await scenario.ImportAsync();
            manual = await scenario.ImportAsync(label: "manual");
            scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant","error_description":"Token revoked by user"}""");
            scenario.Clock.Advance(TimeSpan.FromHours(2));

            using var request = await scenario.Proxy.Client.GetAsync("/acme/user?api_key=CANARYquery0123456789abcdef");
            using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{manual}/refresh"));
            Assert.Equal(HttpStatusCode.Unauthorized, request.StatusCode);
            Assert.False(refresh.IsSuccessStatusCode);
        }

        // Stopping the proxy flushed the exporter's batch.
        Assert.All(receiver.ContentTypes, c => Assert.Equal("application/x-protobuf", c));
        var fromRequest = Assert.Single(receiver.Spans, s => s.Name == "tokenproxy.refresh" && s["tokenproxy.connection.id"] == proxied);
        var fromAdmin = Assert.Single(receiver.Spans, s => s.Name == "tokenproxy.refresh" && s["tokenproxy.connection.id"] == manual);
        foreach (var span in new[] { fromRequest, fromAdmin })
        {
            Assert.Equal(2, span.StatusCode);
            Assert.Equal("invalid_grant", span["tokenproxy.error.code"]);
            Assert.Equal("invalid_grant: Token revoked by user", span.StatusMessage);
            Assert.Equal("tokenproxy", span.Service);
            // Its own trace, linked to the unsampled request that waited for it.
            Assert.Equal("", span.ParentSpanId);
            Assert.Equal(1, span.Links);
        }

        Assert.Equal("expiring", fromRequest["tokenproxy.refresh.reason"]);
        Assert.Equal("manual", fromAdmin["tokenproxy.refresh.reason"]);
        // The ratio still holds for proxied requests: their own spans were not exported.
        Assert.DoesNotContain(receiver.Spans, s => s.Name == "tokenproxy.token" && s["tokenproxy.connection.id"] == proxied);
        Assert.DoesNotContain(receiver.Spans, s => s.Attributes.Values.Any(v => v.Contains("CANARYquery", StringComparison.Ordinal)));
    }
}
