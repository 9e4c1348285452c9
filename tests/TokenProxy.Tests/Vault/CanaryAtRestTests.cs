using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Vault;

/// <summary>No plaintext at rest (docs/architecture.md §6, E26): the database, its WAL and the logs never hold a token in any encoding.</summary>
public sealed class CanaryAtRestTests
{
    [Fact]
    public async Task Stored_tokens_appear_in_no_file_of_the_data_directory_nor_in_the_logs()
    {
        var access = Canary.New("access");
        var refresh = Canary.New("refresh");
        await using var scenario = await ProxyScenario.StartAsync();
        await scenario.Proxy.ImportAsync("acme", access, refreshToken: refresh, expiresIn: 3600);
        await scenario.Proxy.Client.GetAsync("/acme/user");
        // While running, the newest writes sit in the WAL: scan it too.
        ScanDirectory(scenario.DataDirectory, access, refresh);
        await scenario.StopAsync();
        var logs = scenario.Proxy.Logs.All;

        ScanDirectory(scenario.DataDirectory, access, refresh);
        Canary.AssertAbsent(access, logs, "logs");
        Canary.AssertAbsent(refresh, logs, "logs");
        Assert.Equal($"Bearer {access}", Assert.Single(scenario.Api.Requests).Header("Authorization"));
    }

    private static void ScanDirectory(string directory, string access, string refresh)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("tokenproxy.db", StringComparison.Ordinal));
        // The process lock file is held exclusively while running; nothing is ever written to it.
        foreach (var file in files.Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Canary.AssertAbsent(access, copy.ToArray(), Path.GetFileName(file));
            Canary.AssertAbsent(refresh, copy.ToArray(), Path.GetFileName(file));
        }
    }
}
