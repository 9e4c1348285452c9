using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Vault.Postgres;

/// <summary>
/// Several TokenProxy processes on one PostgreSQL database, as an operator runs them behind a load balancer: one refresh
/// across all of them, a crashed refresher that loses nothing, and writes on one instance reaching the others' caches
/// within a second. Real processes (the built TokenProxy.dll), the same vault key in TOKENPROXY_VAULT_KEY.
/// </summary>
[Collection(PostgresTests.Collection)]
public sealed partial class SeveralInstancesTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly string _vaultKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly List<ProxyProcess> _proxies = [];
    private readonly List<string> _roles = [];
    private PostgresDatabase _database = null!;
    private RecordingUpstream _api = null!;
    private FakeAuthorizationServer _authorization = null!;

    public async Task InitializeAsync()
    {
        _database = await server.CreateDatabaseAsync();
        _api = await RecordingUpstream.StartAsync();
        _authorization = await FakeAuthorizationServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        await _authorization.DisposeAsync();
        await _api.DisposeAsync();
        await _database.DisposeAsync();
        foreach (var role in _roles)
        {
            await PostgresServer.ExecuteAsync(server.AdminConnectionString, $"DROP ROLE IF EXISTS {role};");
        }
    }

    [Fact]
    public async Task Expired_token_is_refreshed_once_for_300_concurrent_requests_over_three_processes()
    {
        var proxies = await StartAsync(3);
        await ImportAsync(proxies[0], expiresIn: 1);
        await ExpireAsync();
        _authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var requests = Enumerable.Range(0, 300).Select(i => proxies[i % 3].Client.GetAsync($"/acme/item/{i}")).ToArray();
        await _authorization.FirstCall.Task.WaitAsync(Patience);
        await WaitUntilAsync(() => proxies.Sum(p => p.ProxiedRequestsStarted) == 300, "all 300 requests are in flight");
        await _database.WaitUntilAsync(
            "SELECT count(*) = 2 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", "the other two processes wait for the refresh lock");
        _authorization.Hold.SetResult();
        var responses = await Task.WhenAll(requests).WaitAsync(Patience);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, _authorization.Calls);
        Assert.Equal("refresh-0", Assert.Single(_authorization.Forms)["refresh_token"]);
        Assert.Equal(300, _api.Requests.Count);
        Assert.All(_api.Requests, r => Assert.Equal("Bearer access-1", r.Header("Authorization")));
    }

    [Fact]
    public async Task Waiting_for_another_processs_refresh_outlasts_the_connection_strings_command_timeout()
    {
        // Npgsql ends a command after Command Timeout (30 s by default; 2 s here): waiting for the refresh lock is one
        // command, and a refresh may hold it for minutes (Refresh:Timeout and a late answer). That wait is no outage.
        var proxies = await StartAsync(2, new Dictionary<string, string?>
        {
            ["TokenProxy:Store:ConnectionString"] = _database.ConnectionString + ";Maximum Pool Size=20;Command Timeout=2",
        });
        await ImportAsync(proxies[0], expiresIn: 1);
        await ExpireAsync();
        _authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = proxies[0].Client.GetAsync("/acme/first");
        await _authorization.FirstCall.Task.WaitAsync(Patience);
        var second = proxies[1].Client.GetAsync("/acme/second");
        await _database.WaitUntilAsync("SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", "the second process waits for the refresh lock");
        await Task.Delay(TimeSpan.FromSeconds(4));
        _authorization.Hold.SetResult();
        var responses = await Task.WhenAll(first, second).WaitAsync(Patience);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, _authorization.Calls);
        Assert.DoesNotContain("Store unavailable", proxies[1].Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refresher_killed_while_holding_the_lock_hands_over_to_another_process_and_no_refresh_token_is_lost()
    {
        var proxies = await StartAsync(2);
        var (killed, survivor) = (proxies[0], proxies[1]);
        // The first refresh call hangs until its caller goes away; later ones answer at once, rotating the refresh token.
        _authorization.Respond = async (context, n) =>
        {
            if (n == 1)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            await FakeAuthorizationServer.IssueTokens()(context, n);
        };
        var id = await ImportAsync(killed, expiresIn: 1);
        await ExpireAsync();

        var viaKilled = killed.Client.GetAsync("/acme/first");
        await _authorization.FirstCall.Task.WaitAsync(Patience);
        var viaSurvivor = survivor.Client.GetAsync("/acme/second");
        await _database.WaitUntilAsync("SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", "the survivor waits for the lock");
        var sinceKill = Stopwatch.StartNew();
        killed.Kill();
        using var response = await viaSurvivor.WaitAsync(Patience);
        var takeover = sinceKill.Elapsed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The lock went with the dead process's session, long before the 45 s lock timeout.
        Assert.True(takeover < TimeSpan.FromSeconds(5), $"The survivor took {takeover} to take over.");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => viaKilled);
        Assert.Equal(["refresh-0", "refresh-0"], _authorization.Forms.Select(f => f["refresh_token"]));
        Assert.Equal("Bearer access-2", Assert.Single(_api.Requests).Header("Authorization"));
        // The rotated refresh token was committed with the access token: the next refresh uses it.
        using var refresh = await survivor.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal("refresh-2", _authorization.Forms.Last()["refresh_token"]);
        var connection = JsonDocument.Parse(await survivor.Client.GetStringAsync($"/admin/api/connections/{id}")).RootElement;
        Assert.Equal("active", connection.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_revoke_on_one_process_stops_another_within_a_second()
    {
        var (a, b) = await StartPairAsync();
        var id = await ImportAsync(a, expiresIn: 3600);
        // b reads the connection once and then serves from its cache: only a notification can tell it about the revoke.
        using (var warm = await b.Client.GetAsync("/acme/warm"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        using var revoke = await a.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke"));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var sinceRevoke = Stopwatch.StartNew();
        var response = await PollAsync(b, r => r.StatusCode == HttpStatusCode.Unauthorized);

        Assert.True(sinceRevoke.Elapsed < TimeSpan.FromSeconds(1), $"b went on using the revoked connection for {sinceRevoke.Elapsed}.");
        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "revoked");
    }

    [Fact]
    public async Task A_refresh_on_one_process_is_used_by_another_within_a_second()
    {
        var (a, b) = await StartPairAsync();
        var id = await ImportAsync(a, expiresIn: 3600);
        using (var warm = await b.Client.GetAsync("/acme/warm"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        using var refresh = await a.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var sinceRefresh = Stopwatch.StartNew();
        await PollAsync(b, _ => _api.Requests.Last().Header("Authorization") == "Bearer access-1");

        Assert.True(sinceRefresh.Elapsed < TimeSpan.FromSeconds(1), $"b went on using the old token for {sinceRefresh.Elapsed}.");
        Assert.Equal(1, _authorization.Calls);
    }

    private async Task<ProxyProcess[]> StartAsync(int count, IDictionary<string, string?>? extra = null)
    {
        var settings = _authorization.Provider("acme", _api.Address);
        settings["TokenProxy:Store:Kind"] = "Postgres";
        // Three processes with 100 requests each must fit in the test server's 300 connections.
        settings["TokenProxy:Store:ConnectionString"] = _database.ConnectionString + ";Maximum Pool Size=20";
        settings["TokenProxy:Refresh:Background"] = "false";
        settings["TokenProxy:Refresh:Skew"] = "00:00:30";
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var started = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => ProxyProcess.StartAsync(settings, _vaultKey)));
        _proxies.AddRange(started);
        return started;
    }

    private async Task<(ProxyProcess A, ProxyProcess B)> StartPairAsync()
    {
        var pair = await StartAsync(2);
        return (pair[0], pair[1]);
    }

    /// <summary>Every stored token expired already (at its import): due the moment a process reads it, with no clock to move.</summary>
    private Task ExpireAsync() => _database.ExecuteAsync("UPDATE connections SET expires_at = created_at");

    private static async Task<string> ImportAsync(ProxyProcess proxy, long expiresIn, string label = "default")
    {
        using var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", label, accessToken = "access-0", refreshToken = "refresh-0", expiresIn }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Sends requests through <paramref name="proxy"/> until one satisfies <paramref name="done"/>; another process's
    /// effects show up only this way. Gives up after <paramref name="within"/> (3 s): the callers assert on one.
    /// </summary>
    private static async Task<HttpResponseMessage> PollAsync(ProxyProcess proxy, Func<HttpResponseMessage, bool> done, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(3);
        var watch = Stopwatch.StartNew();
        for (var i = 0; ; i++)
        {
            var response = await proxy.Client.GetAsync($"/acme/poll/{i}");
            if (done(response))
            {
                return response;
            }

            response.Dispose();
            Assert.True(watch.Elapsed < limit, $"The other process did not see the change within {limit.TotalSeconds} s.");
            await Task.Delay(10);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Patience, $"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }
}
