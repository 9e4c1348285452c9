using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Hosting;

/// <summary>
/// The <c>Providers</c> section of a configuration file edited while the proxy runs (the built executable with
/// <c>--config</c>): a clean change takes effect without a restart, a broken one is refused with every problem logged
/// and the running providers keep serving.
/// </summary>
public sealed class ProvidersReloadTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly string _directory = ProxyHost.NewDataDirectory();

    private string ConfigPath => Path.Combine(_directory, "tokenproxy.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_provider_added_or_changed_in_the_config_file_takes_effect_without_a_restart()
    {
        await using var first = await RecordingUpstream.StartAsync();
        await using var second = await RecordingUpstream.StartAsync();
        WriteConfig(new JsonObject { ["acme"] = Provider(first.Address) });
        await using var proxy = await StartAsync();
        await ImportAsync(proxy, "acme", "acme-token");
        await ImportAsync(proxy, "beta", "beta-token", expectCreated: false);

        using (var before = await proxy.Client.GetAsync("/acme/items"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // acme moves to another API and sends its token in another header; beta is new.
        var acme = Provider(second.Address);
        acme["TokenHeader"] = "X-Api-Token: {token}";
        WriteConfig(new JsonObject { ["acme"] = acme, ["beta"] = Provider(second.Address) });

        await UntilAsync(async () =>
        {
            using var response = await proxy.Client.GetAsync("/acme/moved");
            return second.Requests.Any(r => r.PathAndQuery == "/moved");
        });
        using (var after = await proxy.Client.GetAsync("/acme/after"))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        var moved = second.Requests.Single(r => r.PathAndQuery == "/after");
        Assert.Equal("acme-token", moved.Header("X-Api-Token"));
        Assert.Null(moved.Header("Authorization"));
        Assert.DoesNotContain(first.Requests, r => r.PathAndQuery == "/after");

        await ImportAsync(proxy, "beta", "beta-token");
        using (var beta = await proxy.Client.GetAsync("/beta/hello"))
        {
            Assert.Equal(HttpStatusCode.OK, beta.StatusCode);
        }

        Assert.Equal("Bearer beta-token", second.Requests.Single(r => r.PathAndQuery == "/hello").Header("Authorization"));
        var providers = await proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers");
        Assert.Contains(providers.EnumerateArray(), p => p.GetProperty("name").GetString() == "beta");
        await proxy.WaitForLineAsync("Providers changed: acme, beta");
    }

    [Fact]
    public async Task A_change_with_mistakes_is_refused_with_every_problem_logged_and_the_old_providers_keep_serving()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var elsewhere = await RecordingUpstream.StartAsync();
        WriteConfig(new JsonObject { ["acme"] = Provider(upstream.Address) });
        await using var proxy = await StartAsync();
        await ImportAsync(proxy, "acme", "acme-token");

        // A typo'd key, a URL that is no URL, and a second provider with an unknown preset: three problems.
        var broken = Provider(elsewhere.Address);
        broken["Scopess"] = new JsonArray("read");
        broken["TokenUrl"] = "not a url";
        WriteConfig(new JsonObject { ["acme"] = broken, ["other"] = new JsonObject { ["Preset"] = "no-such-preset" } });

        await proxy.WaitForLineAsync("The configuration change was refused (3 problem(s)").WaitAsync(Generous);
        await proxy.WaitForLineAsync("TokenProxy:Providers:acme:Scopess: not a setting TokenProxy reads here");
        await proxy.WaitForLineAsync("TokenProxy:Providers:acme:TokenUrl: 'not a url' is not an absolute http(s) URL.");
        await proxy.WaitForLineAsync("TokenProxy:Providers:other:Preset: unknown preset 'no-such-preset'");

        using var response = await proxy.Client.GetAsync("/acme/still");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(upstream.Requests, r => r.PathAndQuery == "/still" && r.Header("Authorization") == "Bearer acme-token");
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task A_mistake_outside_Providers_is_logged_at_the_change_as_one_the_next_start_will_refuse_and_providers_still_apply()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        WriteConfig(new JsonObject { ["acme"] = Provider(upstream.Address) });
        await using var proxy = await StartAsync();
        // Too short to be taken: the warning names the setting, never its value.
        var adminToken = Canary.New("admin")[..12];

        Replace(new JsonObject
        {
            ["TokenProxy"] = new JsonObject
            {
                ["Providers"] = new JsonObject { ["acme"] = Provider(upstream.Address), ["beta"] = Provider(upstream.Address) },
                ["Refreshh"] = new JsonObject { ["Skew"] = "00:01:00" },
                ["Admin"] = new JsonObject { ["Token"] = adminToken },
            },
        }.ToJsonString());

        await proxy.WaitForLineAsync("Providers changed: beta").WaitAsync(Generous);
        await proxy.WaitForLineAsync("the next start will refuse this one: TokenProxy:Refreshh").WaitAsync(Generous);
        await proxy.WaitForLineAsync("the next start will refuse this one: TokenProxy:Admin:Token").WaitAsync(Generous);
        Canary.AssertAbsent(adminToken, proxy.Output, "the proxy's log");
    }

    [Fact]
    public async Task A_config_file_that_does_not_parse_is_refused_rather_than_read_as_no_providers()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        WriteConfig(new JsonObject { ["acme"] = Provider(upstream.Address) });
        await using var proxy = await StartAsync();
        await ImportAsync(proxy, "acme", "acme-token");

        Replace("""{ "TokenProxy": { "Providers": { "acme": { "ApiBaseUrl": """);

        await proxy.WaitForLineAsync("The configuration change was refused (1 problem(s)").WaitAsync(Generous);
        await proxy.WaitForLineAsync($"Failed to load configuration from file '{ConfigPath}'");
        using var response = await proxy.Client.GetAsync("/acme/still");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Fixed again: the file applies (a provider added proves it was read).
        WriteConfig(new JsonObject { ["acme"] = Provider(upstream.Address), ["beta"] = Provider(upstream.Address) });
        await proxy.WaitForLineAsync("Providers changed: beta").WaitAsync(Generous);
    }

    [Fact]
    public async Task A_client_secret_fixed_in_the_config_file_brings_a_misconfigured_providers_connections_back_without_a_restart()
    {
        await using var api = await RecordingUpstream.StartAsync();
        await using var authorization = await FakeAuthorizationServer.StartAsync();
        const string accepted = "rotated-client-secret";
        authorization.Respond = (context, n) =>
            authorization.ClientAuthorizations.LastOrDefault() == "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"test-client:{accepted}"))
                ? FakeAuthorizationServer.IssueTokens()(context, n)
                : FakeAuthorizationServer.Answer(401, new { error = "invalid_client" })(context, n);
        JsonObject Acme(string secret) => new()
        {
            ["ApiBaseUrl"] = api.Address.AbsoluteUri, ["AuthorizationUrl"] = new Uri(authorization.Address, "/authorize").AbsoluteUri,
            ["TokenUrl"] = authorization.TokenUrl.AbsoluteUri, ["ClientId"] = "test-client", ["ClientSecret"] = secret,
        };
        WriteConfig(new JsonObject { ["acme"] = Acme("the-old-client-secret") });
        await using var proxy = await StartAsync();
        using (var import = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", accessToken = "old-access", refreshToken = "old-refresh", expiresIn = 1 })))
        {
            Assert.Equal(HttpStatusCode.Created, import.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using (var refused = await proxy.Client.GetAsync("/acme/items"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("provider_misconfigured", refused.Headers.GetValues("TokenProxy-Error").Single());
        }

        // Fixed in the file: requests are served with a new token once the change is read, well before the 30 s Retry-After
        // they were given (the log line comes a moment before the change is applied, so a few requests may still be 503).
        WriteConfig(new JsonObject { ["acme"] = Acme(accepted) });
        await proxy.WaitForLineAsync("Providers changed: acme").WaitAsync(Generous);
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        HttpStatusCode status;
        do
        {
            using var attempt = await proxy.Client.GetAsync("/acme/items");
            status = attempt.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTimeOffset.UtcNow < until && await Task.Delay(100).ContinueWith(_ => true));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Bearer access-2", api.Requests.Single(r => r.PathAndQuery == "/items").Header("Authorization"));
        var connection = (await proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections"))[0];
        Assert.Equal("active", connection.GetProperty("status").GetString());
    }

    private async Task<ProxyProcess> StartAsync() =>
        await ProxyProcess.StartAsync(new Dictionary<string, string?> { ["config"] = ConfigPath },
            Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), null, Path.Combine(_directory, "data"));

    private static JsonObject Provider(Uri api) => new() { ["ApiBaseUrl"] = api.AbsoluteUri, ["Auth"] = "OAuth2" };

    private static async Task ImportAsync(ProxyProcess proxy, string provider, string token, bool expectCreated = true)
    {
        using var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new { provider, accessToken = token }));
        Assert.Equal(expectCreated, response.StatusCode == HttpStatusCode.Created);
    }

    private void WriteConfig(JsonObject providers) =>
        Replace(new JsonObject { ["TokenProxy"] = new JsonObject { ["Providers"] = providers } }.ToJsonString());

    /// <summary>Written beside it and moved over it, as editors save: the proxy never reads half a file written here.</summary>
    private void Replace(string text)
    {
        var temporary = ConfigPath + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, ConfigPath, overwrite: true);
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
