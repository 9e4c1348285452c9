using System.Diagnostics;
using System.Net;
using System.Text;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Portal;

namespace TokenProxy.Tests.Security;

/// <summary>
/// Threat: a portal link token, a portal session value or a connection's tokens leak through a side channel. The link's
/// token is in the path of the request that opens it, which ASP.NET Core and OpenTelemetry record (url.path). Every
/// portal path runs with logging at Trace and every span recorded — mint, open, a forged link, list, detail, rotation,
/// refresh, revoke, a request refused by the rate limiter — then each secret is searched for, in every encoding, in
/// everything the proxy emitted and every portal answer.
/// </summary>
public sealed class PortalLeakTests
{
    [Fact]
    public async Task Link_tokens_session_values_and_connection_tokens_never_appear_in_logs_spans_problems_or_pages()
    {
        var telemetry = new CollectedTelemetry();
        await using var portal = await PortalScenario.StartAsync([], settings => settings["TokenProxy:Portal:PermitsPerMinute"] = "12", telemetry);
        await portal.CreateWorkspaceAsync("acme");
        var access = Canary.New("access");
        var refresh = Canary.New("refresh");
        var id = await portal.InsertAsync("acme", "mine-label", accessToken: access, refreshToken: refresh);
        portal.Authorization.Respond = (context, _) => context.Response.WriteAsJsonAsync(new
        {
            access_token = Canary.New("issued"), refresh_token = Canary.New("rotated"), token_type = "Bearer", expires_in = 3600,
        });
        var link = await portal.LinkAsync("acme");
        var token = link[(link.LastIndexOf('/') + 1)..];
        var seen = new StringBuilder();
        var traces = new List<ActivityTraceId>();
        var cookies = new List<string>();
        async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? cookie, bool csrf = true)
        {
            using var request = PortalScenario.Request(method, path, cookie, csrf);
            var trace = ActivityTraceId.CreateRandom();
            traces.Add(trace);
            request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
            var response = await portal.Browser.SendAsync(request);
            seen.Append(await response.Content.ReadAsStringAsync());
            if (PortalScenario.CookieOf(response) is { } set)
            {
                cookies.Add(set);
            }

            return response;
        }

        var enterPath = new Uri(link).PathAndQuery;
        (await SendAsync(HttpMethod.Get, enterPath, null)).Dispose();
        var cookie = cookies.Single();
        var first = cookie;
        (await SendAsync(HttpMethod.Get, $"{enterPath[..^1]}x", null)).Dispose();
        (await SendAsync(HttpMethod.Get, "/portal/connections", cookie)).Dispose();
        (await SendAsync(HttpMethod.Get, $"/portal/connections/{id}", cookie)).Dispose();
        portal.Clock.Advance(TimeSpan.FromMinutes(6));
        (await SendAsync(HttpMethod.Get, "/portal/connections", cookie)).Dispose();
        cookie = cookies[^1];
        (await SendAsync(HttpMethod.Post, $"/portal/connections/{id}/refresh", cookie)).Dispose();
        (await SendAsync(HttpMethod.Get, $"/portal/connections/{id}?done=refreshed", cookie)).Dispose();
        (await SendAsync(HttpMethod.Post, $"/portal/connections/{id}/revoke", cookie)).Dispose();
        (await SendAsync(HttpMethod.Get, $"/portal/connections/{id}?done=revoked", cookie)).Dispose();
        (await SendAsync(HttpMethod.Get, "/portal/connections", "forged-session-value")).Dispose();
        HttpStatusCode last;
        do
        {
            using var limited = await SendAsync(HttpMethod.Get, enterPath, null);
            last = limited.StatusCode;
        }
        while (last != HttpStatusCode.TooManyRequests && traces.Count < 40);

        foreach (var trace in traces)
        {
            await telemetry.WaitForSpanAsync(s => s.Kind == ActivityKind.Server && s.TraceId == trace);
        }

        var issued = portal.Authorization.Forms.Count;
        var logs = portal.Proxy.Logs.All;
        // The test's own requests to the proxy are client spans of this process too; the proxy never calls itself.
        var exported = telemetry.AllText(exclude: s => s.Kind == ActivityKind.Client && s.GetTagItem("server.port") is int port && port == portal.Proxy.Address.Port);
        // The link opened, the session rotated, the refresh and the revoke happened, and the rate limiter refused one:
        // the absence below means something.
        Assert.Equal(HttpStatusCode.TooManyRequests, last);
        Assert.Equal(1, issued);
        Assert.NotEqual(first, cookie);
        Assert.Contains("/portal/enter/*", exported, StringComparison.Ordinal);
        Assert.Contains("Started portal session", logs, StringComparison.Ordinal);
        foreach (var secret in cookies.Append(token).Append(access).Append(refresh))
        {
            Canary.AssertAbsent(secret, logs, "logs");
            Canary.AssertAbsent(secret, exported, "spans and metrics");
            Canary.AssertAbsent(secret, seen.ToString(), "portal pages and problem bodies");
        }
    }
}
