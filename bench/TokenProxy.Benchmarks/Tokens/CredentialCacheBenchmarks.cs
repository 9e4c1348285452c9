using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tokens;
using TokenProxy.Vault;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Benchmarks.Tokens;

/// <summary>
/// Issue 9 (d): the credential cache at <see cref="Connections"/> entries — a lookup (the per-request cost, which must
/// not grow with the number of connections) and filling the cache (its Allocated column is the cache's own
/// structures, dictionary growth included; the credentials are built beforehand). Retained memory per connection
/// is measured by <c>dotnet run -c Release --project bench/TokenProxy.Benchmarks -- memory</c>.
/// <see cref="MemoryCacheLookup"/> is the same lookup in an <see cref="IMemoryCache"/> holding the same entries under the
/// same (provider, selector) key: the comparison that decides whether the credential cache stays a dictionary of its own.
/// </summary>
[MemoryDiagnoser]
public class CredentialCacheBenchmarks
{
    private SqliteConnectionStore _store = null!;
    private CachedCredential[] _credentials = [];
    private CredentialCache _cache = null!;
    private string _probeLabel = null!;
    private MemoryCache _memoryCache = null!;

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
        _memoryCache = new MemoryCache(new MemoryCacheOptions());
        foreach (var credential in _credentials)
        {
            _memoryCache.Set((credential.Provider, credential.Label), credential);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memoryCache.Dispose();
        _store.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool Lookup() => _cache.TryGet("github", ConnectionScope.None, _probeLabel, out _);

    [Benchmark]
    public bool MemoryCacheLookup() => _memoryCache.TryGetValue(("github", _probeLabel), out CachedCredential? _);

    /// <returns>The filled cache (typed object: a benchmark's return type must be public).</returns>
    [Benchmark]
    public object Fill()
    {
        var cache = Caches.For(_store);
        var epoch = cache.Epoch;
        foreach (var credential in _credentials)
        {
            cache.Add(ConnectionScope.None, credential.Label, credential, epoch);
        }

        return cache;
    }
}
