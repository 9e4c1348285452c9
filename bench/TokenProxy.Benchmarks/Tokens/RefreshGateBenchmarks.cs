using BenchmarkDotNet.Attributes;
using TokenProxy.Tokens;

namespace TokenProxy.Benchmarks.Tokens;

/// <summary>
/// Issue 9 (c): <see cref="RefreshGate{T}"/> with <see cref="Callers"/> concurrent callers on one key. The shared
/// work is held until every caller has joined, so all of them contend for the same flight; each operation is one
/// expiry: N callers in, one run of the work, N results out. <see cref="Cleanup"/> prints how many times the work ran
/// per operation (it must be 1).
/// </summary>
[MemoryDiagnoser]
public class RefreshGateBenchmarks
{
    private readonly RefreshGate<int> _gate = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
    private readonly Func<CancellationToken, Task<int>> _work;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<int>[] _callers = [];
    private long _runs;
    private long _operations;

    public RefreshGateBenchmarks()
    {
        _work = async _ =>
        {
            Interlocked.Increment(ref _runs);
            await _release.Task;
            return 1;
        };
    }

    [Params(1, 10, 100, 1000)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup() => _callers = new Task<int>[Callers];

    [Benchmark]
    public async Task<int> OneExpiry()
    {
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < _callers.Length; i++)
        {
            _callers[i] = _gate.RunAsync("conn_0123456789abcdef0123", _work, CancellationToken.None);
        }

        _release.SetResult();
        var total = 0;
        foreach (var caller in _callers)
        {
            total += await caller;
        }

        _operations++;
        return total;
    }

    [GlobalCleanup]
    public void Cleanup() =>
        Console.WriteLine($"// RefreshGate: {Callers} callers per expiry, work ran {Interlocked.Read(ref _runs)} time(s) in {_operations} expiries.");
}
