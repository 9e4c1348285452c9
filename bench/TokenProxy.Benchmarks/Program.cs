using BenchmarkDotNet.Running;
using TokenProxy.Benchmarks;
using TokenProxy.Benchmarks.Concurrency;
using TokenProxy.Benchmarks.Hosted;
using TokenProxy.Benchmarks.Tokens;

// `concurrency`, `memory` and `hosted` are measured programs with their own table; anything else goes to BenchmarkDotNet
// (`--filter *`, `--list flat`, ...), always with the short in-process job of BenchConfig.
return args switch
{
    ["concurrency", .. var rest] => await ConcurrencyMode.RunAsync(rest),
    ["memory", .. var rest] => CacheMemoryMode.Run(rest),
    ["hosted", .. var rest] => await HostedMode.RunAsync(rest),
    _ => BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(args, new BenchConfig()).Any(s => s.HasCriticalValidationErrors) ? 1 : 0,
};
