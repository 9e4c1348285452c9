using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Npgsql;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Vault.Postgres;

/// <summary>A PostgreSQL restart under traffic, as operators do: cached tokens keep serving, nothing else fails hard.</summary>
public sealed partial class SeveralInstancesTests
{
    [Fact]
    public async Task A_database_outage_keeps_cached_tokens_serving_answers_store_bound_requests_503_and_recovers_without_restarts()
    {
        Assert.True(server.CanRestart, $"This test stops and starts PostgreSQL: unset {PostgresServer.ExternalServerVariable} to let it run its own cluster.");
        // b listens through a role of its own, so the test can keep b from hearing writes after the restart while the
        // database already answers: the write below reaches b only if b re-checks its cache when it listens again.
        var role = "tokenproxy_listen_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        _roles.Add(role);
        await PostgresServer.ExecuteAsync(server.AdminConnectionString, $"CREATE ROLE {role} LOGIN;");
        var listen = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Username = role }.ConnectionString;
        var a = (await StartAsync(1))[0];
        var b = (await StartAsync(1, new Dictionary<string, string?> { ["TokenProxy:Store:ListenConnectionString"] = listen }))[0];
        await ImportAsync(a, expiresIn: 3600);
        // Never used before the outage: no instance has it cached.
        await ImportAsync(a, expiresIn: 3600, label: "spare");
        foreach (var proxy in new[] { a, b })
        {
            using var warm = await proxy.Client.GetAsync("/acme/warm");
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // Sessions already open keep going; after the restart b's listener cannot log in until LOGIN is given back.
        await PostgresServer.ExecuteAsync(server.AdminConnectionString, $"ALTER ROLE {role} NOLOGIN;");
        using var stopTraffic = new CancellationTokenSource();
        var traffic = SendCachedRequestsAsync([a, b], stopTraffic.Token);
        await server.StopAsync();
        try
        {
            await WaitUntilAsync(() => a.Output.Contains("Store unavailable", StringComparison.Ordinal) && b.Output.Contains("Store unavailable", StringComparison.Ordinal),
                "both instances notice the outage");
            foreach (var proxy in new[] { a, b })
            {
                using var uncached = new HttpRequestMessage(HttpMethod.Get, "/acme/needs-the-store");
                uncached.Headers.Add("TokenProxy-Connection", "spare");
                using var storeBound = await proxy.Client.SendAsync(uncached);
                await Problems.AssertProblemAsync(storeBound, HttpStatusCode.ServiceUnavailable, "store_unavailable");
                Assert.Equal(TimeSpan.FromSeconds(5), storeBound.Headers.RetryAfter?.Delta);
                using var admin = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Get, "/admin/api/connections"));
                await Problems.AssertProblemAsync(admin, HttpStatusCode.ServiceUnavailable, "store_unavailable");
                Assert.NotNull(admin.Headers.RetryAfter);
                using var ready = await proxy.Client.GetAsync("/readyz");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            }
        }
        finally
        {
            await server.StartAsync();
        }

        foreach (var proxy in new[] { a, b })
        {
            await WaitUntilReadyAsync(proxy);
            using var uncached = new HttpRequestMessage(HttpMethod.Get, "/acme/needs-the-store");
            uncached.Headers.Add("TokenProxy-Connection", "spare");
            using var storeBound = await proxy.Client.SendAsync(uncached);
            Assert.Equal(HttpStatusCode.OK, storeBound.StatusCode);
            using var admin = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Get, "/admin/api/connections"));
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        }

        await stopTraffic.CancelAsync();
        var statuses = await traffic;
        Assert.NotEmpty(statuses);
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));

        // A revoke on a while b cannot hear it: b serves its cached token (the staleness README states) until it listens
        // again, then re-checks what it holds and drops the revoked connection.
        var id = (await a.Client.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/admin/api/connections"))!.Single(c => c.GetProperty("label").GetString() == "default").GetProperty("id").GetString();
        using (var revoke = await a.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/revoke")))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using (var stale = await b.Client.GetAsync("/acme/unconfirmed"))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        }

        await PostgresServer.ExecuteAsync(server.AdminConnectionString, $"ALTER ROLE {role} LOGIN;");
        var revoked = await PollAsync(b, r => r.StatusCode == HttpStatusCode.Unauthorized, within: TimeSpan.FromSeconds(15));
        await Problems.AssertProblemAsync(revoked, HttpStatusCode.Unauthorized, "revoked");

        // One line when the outage starts, one when it ends, whatever the traffic; no exception text, no stack.
        foreach (var proxy in new[] { a, b })
        {
            var lines = proxy.Output.Split('\n');
            Assert.Single(lines, l => l.Contains("Store unavailable:", StringComparison.Ordinal));
            Assert.Single(lines, l => l.Contains("Store available again:", StringComparison.Ordinal) && l.Contains(" s.", StringComparison.Ordinal));
            Assert.Single(lines, l => l.Contains("Lost the notification connection", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("Exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        }

        // The reconcile logs after it evicts, so the line may follow the 401 that its eviction caused.
        Assert.Contains("1 changed or removed meanwhile", await b.WaitForLineAsync("1 changed or removed meanwhile"), StringComparison.Ordinal);
    }

    private static async Task WaitUntilReadyAsync(ProxyProcess proxy)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var ready = await proxy.Client.GetAsync("/readyz");
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(watch.Elapsed < Patience, "The instance did not become ready again after the database came back.");
            await Task.Delay(50);
        }
    }

    /// <summary>Requests with the cached connection, one after another through each proxy, until stopped; their statuses.</summary>
    private static async Task<IReadOnlyCollection<HttpStatusCode>> SendCachedRequestsAsync(ProxyProcess[] proxies, CancellationToken stop)
    {
        var statuses = new ConcurrentQueue<HttpStatusCode>();
        await Task.WhenAll(proxies.Select(async proxy =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var response = await proxy.Client.GetAsync($"/acme/cached/{i}", CancellationToken.None);
                statuses.Enqueue(response.StatusCode);
                // Steady traffic, not a flood: the machine also runs the database restart and the test's own requests.
                await Task.Delay(5, CancellationToken.None);
            }
        }));
        return statuses;
    }
}
