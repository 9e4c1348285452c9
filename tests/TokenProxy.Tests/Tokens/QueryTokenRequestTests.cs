using System.Net;
using System.Text;
using TokenProxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// <c>"TokenRequest": "query"</c>: a provider that documents its token request's parameters in the endpoint's query
/// string (ClickUp) gets them there, with no form body. The refresh token and client secret are then part of the address,
/// so the run records every span and log line and searches them, as the canary tests do.
/// </summary>
public sealed class QueryTokenRequestTests
{
    [Fact]
    public async Task Token_request_parameters_go_in_the_query_and_never_reach_a_log_span_or_event()
    {
        var secret = Canary.New("clientsecret");
        var refresh = Canary.New("refresh");
        var fresh = Canary.New("access");
        using var token = WireMockServer.Start();
        // Answers only a request whose parameters are all in the query: a form body would be refused.
        token.Given(Request.Create().WithPath("/oauth/token").UsingPost()
                .WithParam("grant_type", "refresh_token").WithParam("refresh_token", refresh)
                .WithParam("client_id", "client").WithParam("client_secret", secret))
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json")
                .WithBody($$"""{"access_token":"{{fresh}}","token_type":"Bearer","expires_in":3600}"""));
        token.Given(Request.Create().WithPath("/oauth/token").UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/json").WithBody("""{"error":"invalid_request"}"""));
        var telemetry = new CollectedTelemetry();
        await using var scenario = await ProxyScenario.StartAsync(
            (settings, _) =>
            {
                settings["TokenProxy:Providers:acme:AuthorizationUrl"] = token.Url + "/authorize";
                settings["TokenProxy:Providers:acme:TokenUrl"] = token.Url + "/oauth/token";
                settings["TokenProxy:Providers:acme:ClientId"] = "client";
                settings["TokenProxy:Providers:acme:ClientSecret"] = secret;
                settings["TokenProxy:Providers:acme:TokenEndpointAuth"] = "client_secret_post";
                settings["TokenProxy:Providers:acme:TokenRequest"] = "query";
                // Someone debugging turns on HttpClient's request logs: they must still carry nothing secret.
                settings["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace";
                settings[CollectedTelemetry.RecordEverything.Key] = CollectedTelemetry.RecordEverything.Value;
            },
            telemetry: telemetry);
        scenario.Api.Respond = (context, request) =>
        {
            context.Response.StatusCode = request.Header("Authorization") == "Bearer stale" ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK;
            return Task.CompletedTask;
        };
        var id = (await scenario.Proxy.ImportAsync("acme", "stale", refreshToken: refresh)).GetProperty("id").GetString();

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user");
        var seen = new StringBuilder(await scenario.Proxy.Client.GetStringAsync("/admin/api/events"))
            .Append(await scenario.Proxy.Client.GetStringAsync($"/admin/api/connections/{id}"))
            .Append(await scenario.Proxy.Client.GetStringAsync($"/admin/connections/{id}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer stale", $"Bearer {fresh}"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        var sent = Assert.Single(token.LogEntries).RequestMessage;
        Assert.True(string.IsNullOrEmpty(sent.Body), "No form body: the parameters are in the query.");
        var logs = scenario.Proxy.Logs.All;
        var exported = telemetry.AllText();
        Assert.Contains("url.full=http://127.0.0.1:", exported, StringComparison.Ordinal);
        foreach (var hidden in new[] { secret, refresh, fresh })
        {
            Canary.AssertAbsent(hidden, logs, "logs");
            Canary.AssertAbsent(hidden, exported, "spans and metrics");
            Canary.AssertAbsent(hidden, seen.ToString(), "events, connection JSON and page");
        }
    }

    [Fact]
    public async Task A_redirect_from_a_query_token_endpoint_is_not_followed()
    {
        using var token = WireMockServer.Start();
        token.Given(Request.Create().WithPath("/oauth/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(307).WithHeader("Location", token.Url + "/elsewhere"));
        await using var scenario = await ProxyScenario.StartAsync((settings, _) =>
        {
            settings["TokenProxy:Providers:acme:AuthorizationUrl"] = token.Url + "/authorize";
            settings["TokenProxy:Providers:acme:TokenUrl"] = token.Url + "/oauth/token";
            settings["TokenProxy:Providers:acme:ClientId"] = "client";
            settings["TokenProxy:Providers:acme:ClientSecret"] = "secret-of-the-client";
            settings["TokenProxy:Providers:acme:TokenEndpointAuth"] = "client_secret_post";
            settings["TokenProxy:Providers:acme:TokenRequest"] = "query";
        });
        scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        await scenario.Proxy.ImportAsync("acme", "stale", refreshToken: "refresh-0");

        using var response = await scenario.Proxy.Client.GetAsync("/acme/user");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(token.LogEntries, e => e.RequestMessage.Path == "/elsewhere");
        Assert.Contains(token.LogEntries, e => e.RequestMessage.Path == "/oauth/token" && e.RequestMessage.Query!["client_secret"].Single() == "secret-of-the-client");
    }
}
