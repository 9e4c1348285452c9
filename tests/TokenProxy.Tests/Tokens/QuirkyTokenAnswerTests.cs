using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using TokenProxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// Token answers as real providers send them, bending RFC 6749 §5.1/§5.2, served as recorded by WireMock and taken
/// end to end: an API answers 401 to the imported token, the proxy refreshes against the quirky answer and replays.
/// </summary>
public sealed class QuirkyTokenAnswerTests
{
    public static TheoryData<string, string, string, string, long> Accepted() => new()
    {
        // name, content type, body, access token it yields, lifetime in seconds
        {
            "GitHub asked without Accept: application/json (form-encoded)", "application/x-www-form-urlencoded",
            "access_token=gho_quirk&expires_in=28800&refresh_token=ghr_quirk&refresh_token_expires_in=15811200&scope=&token_type=bearer",
            "gho_quirk", 28800
        },
        {
            "expires_in as a string", "application/json",
            """{"access_token":"quirk","refresh_token":"refresh-quirk","expires_in":"3600","token_type":"BEARER"}""",
            "quirk", 3600
        },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task Quirky_token_answer_is_used_and_its_lifetime_kept(string name, string contentType, string body, string access, long lifetime)
    {
        await using var setup = await StartAsync(200, contentType, body);

        using var response = await setup.Proxy.Client.GetAsync("/acme/user");
        var connection = await setup.ConnectionAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer stale", $"Bearer {access}"], setup.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(setup.Clock.GetUtcNow().AddSeconds(lifetime), connection.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal("active", connection.GetProperty("status").GetString());
        _ = name;
    }

    public static TheoryData<string, string, string, string> Rejected() => new()
    {
        // name, content type, body, lastError code
        {
            "GitHub error inside HTTP 200", "application/json",
            """{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired.","error_uri":"https://docs.github.com"}""",
            "bad_refresh_token"
        },
        { "Slack ok:false inside HTTP 200", "application/json", """{"ok":false,"error":"invalid_refresh_token"}""", "invalid_refresh_token" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public async Task Error_inside_http_200_marks_the_connection_error_and_is_not_retried(string name, string contentType, string body, string code)
    {
        await using var setup = await StartAsync(200, contentType, body);

        using var response = await setup.Proxy.Client.GetAsync("/acme/user");
        var connection = await setup.ConnectionAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["Bearer stale"], setup.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(1, setup.TokenCalls);
        Assert.Equal("error", connection.GetProperty("status").GetString());
        Assert.Equal(code, connection.GetProperty("lastError").GetProperty("code").GetString());
        _ = name;
    }

    private static async Task<Setup> StartAsync(int status, string contentType, string body)
    {
        var token = WireMockServer.Start();
        token.Given(Request.Create().WithPath("/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));
        // Expiry is asserted to the second: the clock stands still (nothing here waits on it).
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var scenario = await ProxyScenario.StartAsync(
            (settings, _) =>
            {
                settings["TokenProxy:Providers:acme:AuthorizationUrl"] = token.Url + "/authorize";
                settings["TokenProxy:Providers:acme:TokenUrl"] = token.Url + "/token";
                settings["TokenProxy:Providers:acme:ClientId"] = "client";
                settings["TokenProxy:Providers:acme:ClientSecret"] = FakeAuthorizationServer.ClientSecret;
            },
            s => s.AddSingleton<TimeProvider>(clock));
        scenario.Api.Respond = (context, request) =>
        {
            context.Response.StatusCode = request.Header("Authorization") == "Bearer stale" ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK;
            return Task.CompletedTask;
        };
        var id = (await scenario.Proxy.ImportAsync("acme", "stale", refreshToken: "refresh-0")).GetProperty("id").GetString()!;
        return new Setup(token, scenario, clock, id);
    }

    private sealed record Setup(WireMockServer Token, ProxyScenario Scenario, FakeTimeProvider Clock, string Id) : IAsyncDisposable
    {
        public RecordingUpstream Api => Scenario.Api;

        public ProxyHost Proxy => Scenario.Proxy;

        public int TokenCalls => Token.LogEntries.Count(e => e.RequestMessage.Path == "/token");

        public async Task<JsonElement> ConnectionAsync() =>
            JsonDocument.Parse(await Proxy.Client.GetStringAsync($"/admin/api/connections/{Id}")).RootElement;

        public async ValueTask DisposeAsync()
        {
            await Scenario.DisposeAsync();
            Token.Stop();
            Token.Dispose();
        }
    }
}
