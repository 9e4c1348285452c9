using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tokens;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Benchmarks.Tokens;

/// <summary>
/// Issue 9 (d), retained memory: <c>GC.GetTotalMemory(forceFullCollection: true)</c> before and after building
/// 10,000 credentials and putting them in a <see cref="CredentialCache"/>, split into the credentials themselves
/// (record + id, label and header strings) and the cache's two dictionaries.
/// </summary>
internal static class CacheMemoryMode
{
    public static int Run(string[] args)
    {
        var count = args is [var text, ..] && int.TryParse(text, out var n) ? n : 10_000;
        using var store = new SqliteConnectionStore(Path.Combine(Path.GetTempPath(), "tokenproxy-bench-unused.db"));

        var empty = Caches.For(store);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var credentials = Enumerable.Range(0, count).Select(CredentialFactory.Create).ToArray();
        var withCredentials = GC.GetTotalMemory(forceFullCollection: true);

        var epoch = empty.Epoch;
        foreach (var credential in credentials)
        {
            empty.Add(TokenProxy.Vault.ConnectionScope.None, credential.Label, credential, epoch);
        }

        var withCache = GC.GetTotalMemory(forceFullCollection: true);
        // The array holding the credentials is not part of what the proxy keeps.
        var arrayBytes = (long)IntPtr.Size * count;
        var credentialBytes = withCredentials - baseline - arrayBytes;
        var cacheBytes = withCache - withCredentials;

        Console.WriteLine($"Credential cache, {count:N0} connections (GC.GetTotalMemory after a full collection, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC)");
        Console.WriteLine();
        Console.WriteLine("| what | total | per connection |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| credentials (record, id, label, header value) | {Kib(credentialBytes)} | {credentialBytes / count:N0} B |");
        Console.WriteLine($"| cache structures (two ConcurrentDictionary maps) | {Kib(cacheBytes)} | {cacheBytes / count:N0} B |");
        Console.WriteLine($"| **total** | **{Kib(credentialBytes + cacheBytes)}** | **{(credentialBytes + cacheBytes) / count:N0} B** |");
        GC.KeepAlive(credentials);
        GC.KeepAlive(empty);
        return empty.Count == count ? 0 : 1;
    }

    private static string Kib(long bytes) => $"{bytes / 1024.0:N0} KiB";
}
