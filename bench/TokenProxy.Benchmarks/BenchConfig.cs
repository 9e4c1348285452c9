using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using Perfolizer.Metrology;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace TokenProxy.Benchmarks;

/// <summary>
/// One short job (3 warm-up and 3 measured iterations), run in-process: the whole set finishes in a few minutes
/// on a 2-core machine, because no separate project is generated and built for each benchmark class. The process is
/// this project's Release build (Sdk.Web: server GC, as the proxy runs). Allocations are counted for every
/// benchmark; results go to BenchmarkDotNet.Artifacts/results, the <c>*-report-github.md</c> files are the ones
/// committed under bench/results.
/// </summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess"));
        AddDiagnoser(MemoryDiagnoser.Default);
        // Bytes, not KB: the per-request differences read here are tens of bytes.
        WithSummaryStyle(SummaryStyle.Default.WithSizeUnit(SizeUnit.B));
    }
}
