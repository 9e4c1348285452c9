using TokenProxy.Hosting;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// Logs are quiet and safe by default: no per-request line from YARP (its lines carry the full upstream URL, query string
/// included, and a query can carry an API key); one Debug line of ours per forwarded request, without path or query.
/// </summary>
public sealed class ProxyLoggingTests
{
    private const string CapturedProvider = "TokenProxy.Tests.Infrastructure.CapturedLogs";

    public static TheoryData<string, string> DefaultLevels => new()
    {
        // appsettings.json as shipped.
        { "Logging:LogLevel:Microsoft.AspNetCore", "Warning" },
        // A rule for one logging provider wins over rules for all of them.
        { $"Logging:{CapturedProvider}:LogLevel:Default", "Trace" },
    };

    [Theory]
    [MemberData(nameof(DefaultLevels))]
    public async Task At_default_levels_a_proxied_request_writes_no_line_with_its_query(string key, string value)
    {
        var apiKey = Canary.New("apikey");
        await using var scenario = await ProxyScenario.StartAsync((settings, _) =>
        {
            settings["Logging:LogLevel:Default"] = "Information";
            settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning";
            settings["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning";
            settings[key] = value;
        });
        await scenario.Proxy.ImportAsync("acme", Canary.New("access"));
        scenario.Proxy.Logs.Lines.Clear();

        using var response = await scenario.Proxy.Client.GetAsync($"/acme/items?api_key={apiKey}");

        response.EnsureSuccessStatusCode();
        Assert.Contains(apiKey, Assert.Single(scenario.Api.Requests).PathAndQuery, StringComparison.Ordinal);
        Canary.AssertAbsent(apiKey, scenario.Proxy.Logs.All, "logs");
        Assert.DoesNotContain(scenario.Proxy.Logs.Lines, line => line.Contains("Yarp.", StringComparison.Ordinal) && !line.StartsWith("Warn", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Information", true)]
    public async Task A_call_through_a_resilience_pipeline_writes_no_polly_line_at_information_unless_a_rule_asks(string? pollyLevel, bool written)
    {
        var revocations = 0;
        await using var revocation = await LoopbackServer.StartAsync(_ =>
        {
            Interlocked.Increment(ref revocations);
            return Task.CompletedTask;
        });
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = ProxyHost.Provider("acme", upstream.Address);
        settings["TokenProxy:Providers:acme:RevocationUrl"] = new Uri(revocation.Address, "/revoke").AbsoluteUri;
        settings["TokenProxy:Providers:acme:ClientId"] = "client";
        settings["TokenProxy:Providers:acme:AuthorizationUrl"] = new Uri(revocation.Address, "/authorize").AbsoluteUri;
        settings["TokenProxy:Providers:acme:TokenUrl"] = new Uri(revocation.Address, "/token").AbsoluteUri;
        settings["Logging:LogLevel:Default"] = "Information";
        settings["Logging:LogLevel:Polly"] = pollyLevel;
        await using var proxy = await ProxyHost.StartAsync(settings);
        var id = (await proxy.ImportAsync("acme", Canary.New("access"), refreshToken: Canary.New("refresh"))).GetProperty("id").GetString();
        proxy.Logs.Lines.Clear();

        using var revoked = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));

        revoked.EnsureSuccessStatusCode();
        Assert.True(Volatile.Read(ref revocations) > 0, "the revocation endpoint was called");
        Assert.Equal(written, proxy.Logs.Lines.Any(line => line.Contains(" Polly[", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_unreachable_revocation_endpoint_is_one_warning_without_a_stack_trace_not_one_per_retry()
    {
        // A port that was free a moment ago: nothing listens there, so every try of the pipeline fails.
        var closed = await LoopbackServer.StartAsync(_ => Task.CompletedTask);
        var deadAddress = closed.Address;
        await closed.DisposeAsync();
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = ProxyHost.Provider("acme", upstream.Address);
        settings["TokenProxy:Providers:acme:RevocationUrl"] = new Uri(deadAddress, "/revoke").AbsoluteUri;
        settings["TokenProxy:Providers:acme:ClientId"] = "client";
        settings["TokenProxy:Providers:acme:AuthorizationUrl"] = new Uri(deadAddress, "/authorize").AbsoluteUri;
        settings["TokenProxy:Providers:acme:TokenUrl"] = new Uri(deadAddress, "/token").AbsoluteUri;
        settings["Logging:LogLevel:Default"] = "Information";
        await using var proxy = await ProxyHost.StartAsync(settings);
        var id = (await proxy.ImportAsync("acme", Canary.New("access"), refreshToken: Canary.New("refresh"))).GetProperty("id").GetString();
        proxy.Logs.Lines.Clear();

        using var revoked = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));

        revoked.EnsureSuccessStatusCode();
        var warnings = proxy.Logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)).ToList();
        Assert.Contains(warnings, l => l.Contains("[1300]", StringComparison.Ordinal));
        Assert.DoesNotContain(proxy.Logs.Lines, l => l.Contains(" Polly[", StringComparison.Ordinal));
        Assert.DoesNotContain(proxy.Logs.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreachable_provider_is_one_line_a_minute_without_a_stack_trace_however_many_requests_fail()
    {
        // A port that was free a moment ago: nothing listens there.
        var closed = await LoopbackServer.StartAsync(_ => Task.CompletedTask);
        var deadAddress = closed.Address;
        await closed.DisposeAsync();
        var settings = ProxyHost.Provider("dead", deadAddress);
        settings["Logging:LogLevel:Default"] = "Information";
        await using var proxy = await ProxyHost.StartAsync(settings);
        await proxy.ImportAsync("dead", Canary.New("access"));
        proxy.Logs.Lines.Clear();
        var apiKey = Canary.New("apikey");

        for (var i = 0; i < 5; i++)
        {
            using var response = await proxy.Client.GetAsync($"/dead/user?n={i}&api_key={apiKey}");
            Assert.Equal(System.Net.HttpStatusCode.BadGateway, response.StatusCode);
        }

        // Ours (UpstreamFailed, event 1002) once a minute however many requests fail (an app retrying in a loop must not
        // fill the disk); YARP's Warning with the HttpRequestException's stack, never.
        var lines = proxy.Logs.Lines.ToArray();
        Assert.Single(lines, line => line.Contains("[1002]", StringComparison.Ordinal) && line.Contains("Connection refused", StringComparison.Ordinal));
        Canary.AssertAbsent(apiKey, proxy.Logs.All, "logs");
        Assert.DoesNotContain(lines, line => line.Contains("Yarp.", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Started_away_from_its_appsettings_the_proxy_still_writes_nothing_per_request()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        var dataDirectory = ProxyHost.NewDataDirectory();
        // The content root is the current directory: a published proxy started from elsewhere reads no appsettings.json.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = dataDirectory });
        builder.AddTokenProxy();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(ProxyHost.Provider("acme", upstream.Address))
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["TokenProxy:DataDirectory"] = dataDirectory,
            ["TokenProxy:Vault:KeyFile"] = ProxyHost.KeyFileFor(dataDirectory),
        });
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders().AddProvider(logs);
        await using var app = builder.Build();
        app.MapTokenProxy();
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var import = await client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new { provider = "acme", accessToken = "abc" }));
        import.EnsureSuccessStatusCode();
        logs.Lines.Clear();

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("/acme/items?api_key=abc");
            response.EnsureSuccessStatusCode();
        }

        Assert.Equal(3, upstream.Requests.Count);
        Assert.Empty(logs.Lines);
        await app.StopAsync();
        ProxyHost.DeleteDataDirectory(dataDirectory);
    }

    [Fact]
    public async Task With_debug_on_each_forwarded_request_writes_one_line_of_ours_without_path_or_query()
    {
        var apiKey = Canary.New("apikey");
        await using var scenario = await ProxyScenario.StartAsync();
        var id = (await scenario.Proxy.ImportAsync("acme", Canary.New("access"))).GetProperty("id").GetString()!;
        scenario.Proxy.Logs.Lines.Clear();

        using var first = await scenario.Proxy.Client.GetAsync($"/acme/items/secret-path?api_key={apiKey}");
        using var second = await scenario.Proxy.Client.GetAsync("/acme/other");

        Assert.Equal(2, scenario.Api.Requests.Count);
        var lines = scenario.Proxy.Logs.Lines.Where(l => l.Contains("[1004]", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, line =>
        {
            Assert.StartsWith("Debug TokenProxy.Proxy.ProxyEndpoint[1004] Proxied acme connection " + id + ": 200 in ", line, StringComparison.Ordinal);
            Assert.Contains("DurationMs=", line, StringComparison.Ordinal);
            Assert.DoesNotContain("items", line, StringComparison.Ordinal);
        });
        Canary.AssertAbsent(apiKey, scenario.Proxy.Logs.All, "logs");
    }
}
