using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault.Sqlite;

/// <summary>
/// The SQLite file cannot be written: the disk is full. The database lives on a 2 MB tmpfs of its own, filled by the
/// test — a real full file system, met through the same system calls as a full disk in production. (Chmod cannot
/// stand in: the tests run as root, whom file modes do not stop; a read-only remount is refused while the proxy holds
/// the file open for writing, which is exactly when it matters.) Mounting needs root, as the suite has in CI.
/// </summary>
[Collection(AloneTests.Collection)]
public sealed class FullDiskTests : IAsyncLifetime
{
    private readonly string _mount = Directory.CreateTempSubdirectory("tokenproxy-full-").FullName;
    private ProxyScenario? _scenario;

    private string Filler => Path.Combine(_mount, "filler");

    public async Task InitializeAsync()
    {
        Assert.True(Environment.IsPrivilegedProcess, "This test mounts a small tmpfs to fill it, which needs root; CI runs the suite as root.");
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=2m", "tokenproxy-full", _mount);
    }

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        await RunAsync("umount", _mount);
        Directory.Delete(_mount);
    }

    [Fact]
    public async Task A_full_disk_answers_writes_503_store_unavailable_keeps_stored_tokens_and_recovers_once_space_is_freed()
    {
        _scenario = await ProxyScenario.StartAsync((settings, _) =>
        {
            settings["TokenProxy:Store:ConnectionString"] = Path.Combine(_mount, "tokenproxy.db");
            settings["TokenProxy:Refresh:Background"] = "false";
        });
        var id = (await _scenario.Proxy.ImportAsync("acme", "stored-token", expiresIn: 3600)).GetProperty("id").GetString()!;
        using (var warm = await _scenario.Proxy.Client.GetAsync("/acme/warm"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        FillTheDisk();
        for (var i = 0; i < 3; i++)
        {
            using var write = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
                new { provider = "acme", label = $"new-{i}", accessToken = "new-token" }));
            await Problems.AssertProblemAsync(write, HttpStatusCode.ServiceUnavailable, "store_unavailable");
            Assert.Equal(TimeSpan.FromSeconds(5), write.Headers.RetryAfter?.Delta);
        }

        // A write that changes nothing writes nothing, so it succeeds on a full disk (the webhook dispatcher's empty claim
        // each second; here an empty purge). It must not end the outage, or readiness says ready while real writes fail.
        var store = _scenario.Proxy.Services.GetRequiredService<IConnectionStore>();
        await store.PurgeExpiredPendingAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        using (var ready = await _scenario.Proxy.Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        // Reading still works: the cached token and a fresh read of the stored one both reach the API.
        using (var cached = await _scenario.Proxy.Client.GetAsync("/acme/cached"))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        using (var byId = new HttpRequestMessage(HttpMethod.Get, "/acme/by-id"))
        {
            byId.Headers.Add("TokenProxy-Connection", id);
            using var read = await _scenario.Proxy.Client.SendAsync(byId);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        File.Delete(Filler);
        using (var ready = await _scenario.Proxy.Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using (var write = await _scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", label = "after", accessToken = "new-token" })))
        {
            Assert.Equal(HttpStatusCode.Created, write.StatusCode);
        }

        Assert.All(_scenario.Api.Requests, r => Assert.Equal("Bearer stored-token", r.Header("Authorization")));
        Assert.Equal(3, _scenario.Api.Requests.Count);
        var unavailable = Assert.Single(_scenario.Proxy.Logs.Lines, l => l.Contains("Store unavailable:", StringComparison.Ordinal));
        Assert.Contains("SQLite database", unavailable, StringComparison.Ordinal);
        Assert.Contains("database or disk is full", unavailable, StringComparison.Ordinal);
        Assert.Single(_scenario.Proxy.Logs.Lines, l => l.Contains("Store available again:", StringComparison.Ordinal));
        Assert.DoesNotContain(_scenario.Proxy.Logs.Lines, l => l.Contains("StoreUnavailableException", StringComparison.Ordinal));
        Assert.Equal("ok", await IntegrityCheckAsync());
    }

    /// <summary>Writes until the file system says it is full.</summary>
    private void FillTheDisk()
    {
        using var filler = new FileStream(Filler, FileMode.CreateNew, FileAccess.Write);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                filler.Write(block);
                filler.Flush();
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }
    }

    private async Task<string> IntegrityCheckAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_mount, "tokenproxy.db")};Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {await error}");
    }
}
