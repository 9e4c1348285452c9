using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// A client secret rotated at the real oidc-provider under 50 connections, the proxy configured with
/// <c>ClientSecrets</c> (newest first): no connection is ever put in error, and a provider that refuses every secret is
/// misconfigured (503 <c>provider_misconfigured</c> for what needs a new token, valid tokens still served) until fixed,
/// with no reconnect. The proxy runs on a driven clock (token expiry, the 10-minute retry of the newest secret, the
/// 30-second probe); the provider on real time, with tokens that outlive the test.
/// </summary>
public abstract class ClientSecretRotationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Connections = 50;
    private protected static readonly string Old = OidcProviderServer.ClientSecret;
    private protected static readonly string New = Canary.New("newclientsecret");
    private static readonly string Other = Canary.New("otherclientsecret");

    private OidcProviderServer _server = null!;

    private protected OidcProviderServer Server => _server;
    private string _directory = null!;
    private DrivenClock? _clock;
    private int _port;

    public virtual async Task InitializeAsync()
    {
        _directory = ProxyHost.NewDataDirectory();
        _port = ProxyHost.FreePort();
        _server = await OidcProviderServer.StartAsync($"http://127.0.0.1:{_port}/admin/callback/oidc", accessTokenSeconds: 3600);
    }

    public virtual async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        ProxyHost.DeleteDataDirectory(_directory);
    }

    private protected abstract void UseStore(Dictionary<string, string?> settings);

    private protected Task<ProxyHost> StartProxyAsync(params string[] secrets) => StartProxyAsync(_port, secrets);

    private async Task<ProxyHost> StartProxyAsync(int port, params string[] secrets)
    {
        var publicBase = $"http://127.0.0.1:{port}";
        var settings = _server.Provider("oidc");
        settings.Remove("TokenProxy:Providers:oidc:ClientSecret");
        for (var i = 0; i < secrets.Length; i++)
        {
            settings[$"TokenProxy:Providers:oidc:ClientSecrets:{i}"] = secrets[i];
        }

        settings["Urls"] = publicBase;
        settings["TokenProxy:PublicBaseUrl"] = publicBase;
        settings["TokenProxy:Refresh:Background"] = "false";
        UseStore(settings);
        // A restart carries on from where the last clock was: the stored expiries were written by it.
        var clock = new DrivenClock();
        if (_clock is { } previous)
        {
            clock.SetUtcNow(previous.GetUtcNow());
        }

        _clock = clock;
        return await ProxyHost.StartAsync(settings, services: s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.Remove(s.Single(d => d.ServiceType == typeof(IHostedService)
                && d.ImplementationFactory?.GetType().GenericTypeArguments[^1] == typeof(TokenProxy.Tokens.BackgroundRefresher)));
        }, dataDirectory: _directory);
    }

    private protected static async Task ConnectAsync(ProxyHost proxy, string label)
    {
        using var browser = new ConnectFlow(proxy.Address);
        using var connect = await browser.GetAsync($"/admin/connect/oidc?label={label}");
        Assert.Equal(HttpStatusCode.Redirect, connect.StatusCode);
        var back = await OidcLogin.AuthorizeAsync(connect.Headers.Location!, label, $"{proxy.Address.AbsoluteUri}admin/callback/oidc");
        using var callback = await browser.GetAsync(back.PathAndQuery);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
    }

    /// <summary>One call to the provider's <c>/me</c> through each connection at once; the status codes, by connection.</summary>
    private static async Task<HttpResponseMessage[]> CallAllAsync(ProxyHost proxy, IEnumerable<int> which) =>
        await Task.WhenAll(which.Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/oidc/me");
            request.Headers.Add("TokenProxy-Connection", $"c{i}");
            return await proxy.Client.SendAsync(request);
        }));

    private protected static async Task<JsonElement[]> ConnectionsAsync(ProxyHost proxy) =>
        [.. (await proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections")).EnumerateArray()];

    private static async Task<JsonElement> ProviderAsync(ProxyHost proxy) =>
        (await proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers")).EnumerateArray().Single(p => p.GetProperty("name").GetString() == "oidc");

    private static async Task<int> EventsAsync(ProxyHost proxy, string type) =>
        (await proxy.Client.GetFromJsonAsync<JsonElement>($"/admin/api/events?type={type}")).GetProperty("items").GetArrayLength();

    private protected async Task<(int Refused, int Refreshes, int Codes)> CountsAsync()
    {
        var stats = await _server.StatsAsync();
        return (stats.GetProperty("invalid_client").GetInt32(), stats.GetProperty("refresh_token").GetInt32(), stats.GetProperty("authorization_code").GetInt32());
    }

    private protected async Task AcceptAsync(params string[] secrets)
    {
        using var client = new HttpClient();
        using var response = await client.PutAsJsonAsync(new Uri(_server.Issuer, "/test/client-secret"), new { secrets });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static void AssertAll(HttpStatusCode expected, HttpResponseMessage[] responses, string step) =>
        Assert.True(responses.All(r => r.StatusCode == expected), $"{step}: {string.Join(", ", responses.GroupBy(r => r.StatusCode).Select(g => $"{g.Count()}×{(int)g.Key}"))}");

    private static void AssertNoneInError(JsonElement[] connections)
    {
        Assert.Equal(Connections, connections.Length);
        Assert.All(connections, c => Assert.Equal("active", c.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Rotating_the_secret_under_50_connections_puts_none_in_error_and_a_refused_secret_marks_the_provider_until_fixed()
    {
        var port = _port;
        var all = Enumerable.Range(0, Connections).ToArray();
        var proxy = await StartProxyAsync(port, New, Old);
        try
        {
            // 1. The new secret is configured first; the provider knows only the old one yet. Connecting falls back to it.
            foreach (var batch in all.Chunk(5))
            {
                await Task.WhenAll(batch.Select(i => ConnectAsync(proxy, $"c{i}")));
            }

            var connected = await CountsAsync();
            var notice = await ProviderAsync(proxy);
            var providersPage = await proxy.Client.GetStringAsync("/admin/providers");
            _clock!.Advance(TimeSpan.FromMinutes(61));
            var olderInUse = await CallAllAsync(proxy, all);
            var afterOld = await CountsAsync();
            AssertAll(HttpStatusCode.OK, olderInUse, "the old secret only");
            AssertNoneInError(await ConnectionsAsync(proxy));
            Assert.Equal(ClientSecretRotationNotice, notice.GetProperty("clientSecretNotice").GetString());
            Assert.Contains(ClientSecretRotationNotice, providersPage, StringComparison.Ordinal);
            Assert.Contains(proxy.Logs.Lines, line => line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains("[1301]", StringComparison.Ordinal));
            // The server counts refused calls too: one code exchange and one refresh per connection succeeded.
            Assert.Equal(Connections + connected.Refused, connected.Codes);
            Assert.Equal(Connections + afterOld.Refused - connected.Refused, afterOld.Refreshes - connected.Refreshes);
            output.WriteLine($"connect {Connections} with [new, old], provider [old]: {connected.Refused} refused calls");
            output.WriteLine($"refresh {Connections} (newest retried after 10 min): {afterOld.Refused - connected.Refused} refused calls");

            // 2. The provider finishes the rotation: only the new secret. Every connection refreshes with it.
            await AcceptAsync(New);
            _clock!.Advance(TimeSpan.FromMinutes(61));
            var newOnly = await CallAllAsync(proxy, all);
            var afterNew = await CountsAsync();
            AssertAll(HttpStatusCode.OK, newOnly, "the new secret only");
            AssertNoneInError(await ConnectionsAsync(proxy));
            Assert.Equal(JsonValueKind.Null, (await ProviderAsync(proxy)).GetProperty("clientSecretNotice").ValueKind);
            output.WriteLine($"refresh {Connections}, provider [new]: {afterNew.Refused - afterOld.Refused} refused calls");
            await proxy.DisposeAsync();

            // 3. The old secret is removed from the configuration: a restart on the same store, no refused call.
            proxy = await StartProxyAsync(port, New);
            _clock!.Advance(TimeSpan.FromMinutes(61));
            var oldRemoved = await CallAllAsync(proxy, all);
            var afterRemoved = await CountsAsync();
            AssertAll(HttpStatusCode.OK, oldRemoved, "the old secret removed");
            Assert.Equal(afterNew.Refused, afterRemoved.Refused);
            Assert.Equal(Connections, afterRemoved.Refreshes - afterNew.Refreshes);

            // 4. The provider refuses every secret. c0 is refreshed by hand first, so its token outlives the others'.
            _clock!.Advance(TimeSpan.FromMinutes(30));
            using (var manual = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections/" + (await ConnectionsAsync(proxy)).Single(c => c.GetProperty("label").GetString() == "c0").GetProperty("id").GetString() + "/refresh")))
            {
                Assert.Equal(HttpStatusCode.OK, manual.StatusCode);
            }

            await AcceptAsync(Other);
            _clock!.Advance(TimeSpan.FromMinutes(31));
            var expired = await CallAllAsync(proxy, all.Skip(1));
            var afterRefused = await CountsAsync();
            var stillValid = await CallAllAsync(proxy, [0]);
            var again = await CallAllAsync(proxy, all.Skip(1).Take(10));
            var withinProbe = await CountsAsync();
            using var adminRefresh = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post,
                "/admin/api/connections/" + (await ConnectionsAsync(proxy)).Single(c => c.GetProperty("label").GetString() == "c1").GetProperty("id").GetString() + "/refresh"));
            var misconfigured = await ProviderAsync(proxy);
            var bannerPage = await proxy.Client.GetStringAsync("/admin/connections");
            _clock!.Advance(TimeSpan.FromSeconds(31));
            var probe = await CallAllAsync(proxy, [1]);
            var afterProbe = await CountsAsync();

            AssertAll(HttpStatusCode.ServiceUnavailable, expired, "every secret refused");
            var problem = await Problems.AssertProblemAsync(expired[0], HttpStatusCode.ServiceUnavailable, "provider_misconfigured");
            Assert.NotNull(expired[0].Headers.RetryAfter);
            AssertAll(HttpStatusCode.OK, stillValid, "a valid token while misconfigured");
            AssertAll(HttpStatusCode.ServiceUnavailable, again, "again within 30 s");
            Assert.Equal(afterRefused, withinProbe);
            await Problems.AssertProblemAsync(adminRefresh, HttpStatusCode.ServiceUnavailable, "provider_misconfigured");
            Assert.True(misconfigured.GetProperty("misconfigured").GetBoolean());
            Assert.Contains("data-banner=\"provider-misconfigured\"", bannerPage, StringComparison.Ordinal);
            AssertAll(HttpStatusCode.ServiceUnavailable, probe, "the probe after 30 s");
            Assert.Equal(afterRefused.Refused + 1, afterProbe.Refused);
            AssertNoneInError(await ConnectionsAsync(proxy));
            Assert.Equal(1, await EventsAsync(proxy, "provider.misconfigured"));
            output.WriteLine($"{Connections - 1} expired tokens, provider refuses all: {afterRefused.Refused - afterRemoved.Refused} refused calls; then 10 requests: 0; after 30 s: 1");

            // 5. The provider takes the secret again: after the next probe every connection works, nobody reconnected.
            await AcceptAsync(New);
            _clock!.Advance(TimeSpan.FromSeconds(31));
            var first = await CallAllAsync(proxy, [1]);
            var recovered = await CallAllAsync(proxy, all);
            var end = await CountsAsync();

            AssertAll(HttpStatusCode.OK, first, "the probe after the fix");
            AssertAll(HttpStatusCode.OK, recovered, "recovered");
            AssertNoneInError(await ConnectionsAsync(proxy));
            Assert.False((await ProviderAsync(proxy)).GetProperty("misconfigured").GetBoolean());
            Assert.DoesNotContain("data-banner=", await proxy.Client.GetStringAsync("/admin/connections"), StringComparison.Ordinal);
            Assert.Equal(1, await EventsAsync(proxy, "provider.configured"));
            Assert.Equal(connected.Codes, end.Codes);

            var seen = proxy.Logs.All + problem.GetRawText() + JsonSerializer.Serialize(misconfigured) + providersPage + bannerPage;
            foreach (var secret in new[] { Old, New, Other })
            {
                Canary.AssertAbsent(secret, seen, "logs, problems, the providers API and pages");
            }
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    private const string ClientSecretRotationNotice =
        "The new client secret is rejected by the provider; still using the previous one. Check the new secret, or finish the rotation at the provider.";
}

/// <summary>The rotation on the embedded SQLite store, and revocation with the list.</summary>
public sealed class SqliteClientSecretRotationTests(ITestOutputHelper output) : ClientSecretRotationTests(output)
{
    private protected override void UseStore(Dictionary<string, string?> settings)
    {
    }

    [Fact]
    public async Task Revocation_falls_back_to_the_other_client_secret_and_the_tokens_die_at_the_provider()
    {
        await using var proxy = await StartProxyAsync(New, Old);
        await ConnectAsync(proxy, "c0");
        var id = (await ConnectionsAsync(proxy)).Single().GetProperty("id").GetString()!;
        var row = (await proxy.Services.GetRequiredService<TokenProxy.Vault.IConnectionStore>().GetAsync(id, CancellationToken.None))!;
        var sealer = proxy.Services.GetRequiredService<TokenProxy.Vault.SecretSealer>();
        Assert.True(sealer.TryOpen(id, TokenProxy.Vault.SecretSealer.RefreshTokenField, row.RefreshToken!, out var refresh));
        // The proxy now uses the old secret; the provider finishes the rotation before the revoke.
        await AcceptAsync(New);
        var before = await CountsAsync();

        using var revoke = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        var body = await revoke.Content.ReadFromJsonAsync<JsonElement>();
        var after = await CountsAsync();

        Assert.Equal("revoked", body.GetProperty("revocation").GetProperty("result").GetString());
        Assert.Equal(before.Refused + 1, after.Refused);
        await AcceptAsync(New, Old);
        Assert.False(await Server.IsActiveAsync(refresh));
        Canary.AssertAbsent(Old, proxy.Logs.All + body.GetRawText(), "logs and the revoke answer");
        Canary.AssertAbsent(New, proxy.Logs.All + body.GetRawText(), "logs and the revoke answer");
    }
}

/// <summary>The rotation on PostgreSQL (its vault key made beforehand, as a shared store requires).</summary>
[Collection(PostgresTests.Collection)]
public sealed class PostgresClientSecretRotationTests(PostgresServer server, ITestOutputHelper output) : ClientSecretRotationTests(output)
{
    private PostgresStore _store = null!;

    public override async Task InitializeAsync()
    {
        _store = await PostgresStore.CreateAsync(server);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _store.DisposeAsync();
    }

    private protected override void UseStore(Dictionary<string, string?> settings) => _store.Apply(settings);
}
