using BenchmarkDotNet.Attributes;
using TokenProxy.Vault;
using TokenProxy.Vault.Sqlite;

namespace TokenProxy.Benchmarks.Vault;

/// <summary>
/// Issue 9 (b): what a cache miss costs — opening a sealed access token (AES-256-GCM), and reading the row from
/// the SQLite store then opening it. The hot path does neither; these say what the cache saves per request.
/// </summary>
[MemoryDiagnoser]
public class VaultBenchmarks
{
    private string _directory = null!;
    private SecretSealer _sealer = null!;
    private SqliteConnectionStore _store = null!;
    private string _id = null!;
    private string _sealed = null!;
    private string _plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        var ring = new VaultKeyRing();
        ring.Load([VaultKey.Generate()], "benchmark");
        _sealer = new SecretSealer(ring);
        _id = ConnectionIds.New();
        // A GitHub-sized token (40 characters after the prefix).
        _plain = "gho_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        _sealed = _sealer.Seal(_id, SecretSealer.AccessTokenField, _plain);

        _directory = Directory.CreateTempSubdirectory("tokenproxy-bench-vault-").FullName;
        _store = new SqliteConnectionStore(Path.Combine(_directory, "tokenproxy.db"));
        _store.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        var now = DateTimeOffset.UtcNow;
        var inserted = _store.TryInsertAsync(new ConnectionRow
        {
            Id = _id,
            Provider = "bench",
            Label = "default",
            Status = ConnectionStatus.Active,
            TokenType = "Bearer",
            AccessToken = _sealed,
            RefreshToken = _sealer.Seal(_id, SecretSealer.RefreshTokenField, "refresh-" + _plain),
            ExpiresAt = now.AddHours(1),
            CreatedAt = now,
            UpdatedAt = now,
        }, CancellationToken.None).GetAwaiter().GetResult();
        if (!inserted)
        {
            throw new InvalidOperationException("The benchmark row was not inserted.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public string? Open() => _sealer.TryOpen(_id, SecretSealer.AccessTokenField, _sealed, out var plain) ? plain : null;

    /// <summary>For reference: sealing happens on import and refresh only.</summary>
    [Benchmark]
    public string Seal() => _sealer.Seal(_id, SecretSealer.AccessTokenField, _plain);

    /// <summary>The whole cache miss: SQLite FindAsync (pooled connection, one SELECT) and opening the token.</summary>
    [Benchmark]
    public async Task<string?> SqliteFindAndOpen()
    {
        var row = await _store.FindAsync("bench", ConnectionScope.None, "default", CancellationToken.None);
        return row?.AccessToken is { } token && _sealer.TryOpen(row.Id, SecretSealer.AccessTokenField, token, out var plain) ? plain : null;
    }
}
