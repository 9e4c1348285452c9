using BenchmarkDotNet.Attributes;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tokens;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Benchmarks.Tokens;

/// <summary>
/// Issue 9 (d): the credential cache at <see cref="Connections"/> entries — a lookup (the per-request cost, which must
/// not grow with the number of connections) and filling the cache (its Allocated column is the cache's own
/// structures, dictionary growth included; the credentials are built beforehand). Retained memory per connection
/// is measured by <c>dotnet run -c Release --project bench/TokenProxy.Benchmarks -- memory</c>.
/// </summary>
[MemoryDiagnoser]
public class CredentialCacheBenchmarks
{
    private SqliteConnectionStore _store = null!;
    private CachedCredential[] _credentials = [];
    private CredentialCache _cache = null!;
    private string _probeLabel = null!;

    [Params(1, 10_000)]
    public int Connections { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // The cache only subscribes to the store's change event; the store never opens its file here.
        _store = new SqliteConnectionStore(Path.Combine(Path.GetTempPath(), "tokenproxy-bench-unused.db"));
        _credentials = [.. Enumerable.Range(0, Connections).Select(CredentialFactory.Create)];
        _cache = (CredentialCache)Fill();
        _probeLabel = _credentials[^1].Label;
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark]
    public bool Lookup() => _cache.TryGet("github", _probeLabel, out _);

    /// <returns>The filled cache (typed object: a benchmark's return type must be public).</returns>
    [Benchmark]
    public object Fill()
    {
        var cache = Caches.For(_store);
        var epoch = cache.Epoch;
        foreach (var credential in _credentials)
        {
            cache.Add(credential.Label, credential, epoch);
        }

        return cache;
    }
}
