namespace TokenProxy.Benchmarks.Concurrency;

/// <summary>One burst of N concurrent requests: how long until the last answer, and what it cost behind the proxy.</summary>
internal sealed record TrialResult(double ElapsedMs, double P50Ms, double MaxMs, long TokenCalls, long StoreReads, long UpstreamRequests, int Failures);
