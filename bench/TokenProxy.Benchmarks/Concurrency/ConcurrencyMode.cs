using System.Diagnostics;
using System.Globalization;
using System.Text;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Proxy;
using TokenProxy.Vault;

namespace TokenProxy.Benchmarks.Concurrency;

/// <summary>
/// Issue 4's numbers: the time to serve N concurrent requests on an expired token vs on a fresh one, and the
/// token-endpoint calls per expiry. The real proxy runs in-process (AddTokenProxy/MapTokenProxy, SQLite store),
/// with a fake token endpoint (answering after <c>--token-delay-ms</c>) and an upstream on loopback. Each trial
/// uses a connection of its own, inserted sealed into the store, so trials do not share a token or a cache entry.
/// <c>Refresh:Skew</c> is 0 so "expired" means past its expiry; background refresh is off.
/// </summary>
internal static class ConcurrencyMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var counts = Option(args, "--counts", "1,10,100,500").Split(',').Select(int.Parse).ToArray();
        var trials = int.Parse(Option(args, "--trials", "5"), CultureInfo.InvariantCulture);
        var tokenDelay = TimeSpan.FromMilliseconds(int.Parse(Option(args, "--token-delay-ms", "50"), CultureInfo.InvariantCulture));
        var output = Option(args, "--out", "");
        if (output.Length > 0 && !Path.IsPathRooted(output))
        {
            // `dotnet run --project` runs in the project directory; a relative path means one from the repository root.
            output = Path.Combine(RepositoryRoot(), output);
        }

        await using var tokenEndpoint = await FakeTokenEndpoint.StartAsync(tokenDelay);
        long upstreamRequests = 0;
        await using var upstream = await LoopbackServer.StartAsync(context =>
        {
            Interlocked.Increment(ref upstreamRequests);
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"ok":true}""");
        });

        CountingStore? store = null;
        var settings = tokenEndpoint.Provider("bench", upstream.Address);
        settings["TokenProxy:Refresh:Skew"] = "00:00:00";
        settings["TokenProxy:Refresh:Background"] = "false";
        await using var proxy = await ProxyHost.StartAsync(settings, services => CountingStore.Wrap(services, created => store = created), captureLogs: false);
        var sealer = proxy.Services.GetRequiredService<SecretSealer>();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = proxy.Address };

        var results = new Dictionary<(Scenario, int), List<TrialResult>>();
        var label = 0;
        foreach (var n in counts)
        {
            foreach (var scenario in Enum.GetValues<Scenario>())
            {
                var list = results[(scenario, n)] = [];
                // Trial 0 warms connections and code paths for this N and is not counted.
                for (var trial = 0; trial <= trials; trial++)
                {
                    var result = await RunTrialAsync(scenario, n, $"c{label++}");
                    if (trial > 0)
                    {
                        list.Add(result);
                    }
                }

                var median = Median(list.Select(r => r.ElapsedMs));
                Console.Error.WriteLine($"{scenario,-12} N={n,4}: {median,8:F1} ms median, token calls {list.Sum(r => r.TokenCalls)}/{list.Count}, store reads {list.Sum(r => r.StoreReads)}");
            }
        }

        var table = Render(results, counts, trials, tokenDelay);
        Console.WriteLine(table);
        if (output.Length > 0)
        {
            await File.WriteAllTextAsync(output, table);
            Console.Error.WriteLine($"wrote {output}");
        }

        return results.Values.SelectMany(r => r).Any(r => r.Failures > 0) ? 1 : 0;

        async Task<TrialResult> RunTrialAsync(Scenario scenario, int n, string connectionLabel)
        {
            var now = DateTimeOffset.UtcNow;
            var expiresAt = scenario switch
            {
                Scenario.Fresh => now.AddHours(1),
                Scenario.Expired => now.AddMilliseconds(200),
                _ => now.AddMinutes(-1),
            };
            await InsertAsync(connectionLabel, expiresAt);
            if (scenario != Scenario.ExpiredCold)
            {
                // One request puts the credential in the proxy's cache while it is valid.
                await SendAsync(connectionLabel);
            }

            if (scenario == Scenario.Expired)
            {
                var wait = expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(20);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }

            var tokenCalls = tokenEndpoint.Calls;
            var reads = store!.Reads;
            var forwarded = Interlocked.Read(ref upstreamRequests);
            var started = Stopwatch.GetTimestamp();
            var burst = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => SendAsync(connectionLabel)));
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var latencies = burst.Select(b => b.Ms).Order().ToArray();
            return new TrialResult(
                elapsed, latencies[latencies.Length / 2], latencies[^1],
                tokenEndpoint.Calls - tokenCalls, store.Reads - reads, Interlocked.Read(ref upstreamRequests) - forwarded,
                burst.Count(b => !b.Ok));
        }

        async Task<(bool Ok, double Ms)> SendAsync(string connectionLabel)
        {
            var started = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/bench/items/42");
            request.Headers.Add(ProxyEndpoint.ConnectionHeader, connectionLabel);
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return (response.IsSuccessStatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        async Task InsertAsync(string connectionLabel, DateTimeOffset expiresAt)
        {
            var id = ConnectionIds.New();
            var now = DateTimeOffset.UtcNow;
            var inserted = await store!.TryInsertAsync(new ConnectionRow
            {
                Id = id,
                Provider = "bench",
                Label = connectionLabel,
                Status = ConnectionStatus.Active,
                TokenType = "Bearer",
                AccessToken = sealer.Seal(id, SecretSealer.AccessTokenField, "initial-" + connectionLabel),
                RefreshToken = sealer.Seal(id, SecretSealer.RefreshTokenField, "refresh-" + connectionLabel),
                ExpiresAt = expiresAt,
                CreatedAt = now,
                UpdatedAt = now,
            }, CancellationToken.None);
            if (!inserted)
            {
                throw new InvalidOperationException($"Label {connectionLabel} is taken.");
            }
        }
    }

    private static string Render(Dictionary<(Scenario, int), List<TrialResult>> results, int[] counts, int trials, TimeSpan tokenDelay)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Concurrent requests on a fresh vs an expired token");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Produced by `dotnet run -c Release --project bench/TokenProxy.Benchmarks -- concurrency` on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC ({Environment.ProcessorCount} cores, .NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC).");
        text.AppendLine(CultureInfo.InvariantCulture, $"In-process TokenProxy (SQLite store), fake token endpoint answering after {tokenDelay.TotalMilliseconds:F0} ms, loopback upstream, HttpClient sending N requests at once on one connection's token;");
        text.AppendLine(CultureInfo.InvariantCulture, $"median of {trials} trials after one warm-up trial per row, each trial on a connection of its own. Time = first request sent to last response read.");
        text.AppendLine();
        text.AppendLine("| N | fresh (cached): ms | expired (was cached): ms | expired, cold cache: ms | expiry cost (expired − fresh) | token-endpoint calls per expiry | store reads per burst: fresh / expired / cold | p50 / max request ms (expired) | failed requests |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---|---|---:|");
        foreach (var n in counts)
        {
            var fresh = results[(Scenario.Fresh, n)];
            var expired = results[(Scenario.Expired, n)];
            var cold = results[(Scenario.ExpiredCold, n)];
            var freshMs = Median(fresh.Select(r => r.ElapsedMs));
            var expiredMs = Median(expired.Select(r => r.ElapsedMs));
            var callsPerExpiry = (expired.Sum(r => r.TokenCalls) + cold.Sum(r => r.TokenCalls)) / (double)(expired.Count + cold.Count);
            var failures = fresh.Concat(expired).Concat(cold).Sum(r => r.Failures);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {n} | {freshMs:F1} | {expiredMs:F1} | {Median(cold.Select(r => r.ElapsedMs)):F1} | {expiredMs - freshMs:F1} | {callsPerExpiry:0.##} (fresh: {fresh.Sum(r => r.TokenCalls)}) | " +
                $"{Median(fresh.Select(r => (double)r.StoreReads)):0.#} / {Median(expired.Select(r => (double)r.StoreReads)):0.#} / {Median(cold.Select(r => (double)r.StoreReads)):0.#} | " +
                $"{Median(expired.Select(r => r.P50Ms)):F1} / {Median(expired.Select(r => r.MaxMs)):F1} | {failures} |");
        }

        text.AppendLine();
        text.AppendLine("Store reads: `FindAsync`/`GetAsync` calls (each a SQLite SELECT) during the burst. A refresh re-reads the row under its lock (1 read) and a request");
        text.AppendLine("that misses the cache reads it once; a fresh, cached token reads nothing.");
        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TokenProxy.sln")))
            {
                return directory.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
