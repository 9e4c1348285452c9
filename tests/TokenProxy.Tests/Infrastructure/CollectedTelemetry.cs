using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>An in-memory OpenTelemetry exporter for spans and metrics, plugged into the proxy through DI.</summary>
internal sealed class CollectedTelemetry
{
    public ConcurrentQueue<Activity> Spans { get; } = new();

    public ConcurrentQueue<(string Name, Dictionary<string, object?> Tags, double Value)> Points { get; } = new();

    public MetricReader Reader { get; private set; } = null!;

    /// <summary>The setting that records every trace; add it to the proxy's settings with <see cref="Register"/>.</summary>
    public static KeyValuePair<string, string?> RecordEverything => new("TokenProxy:Telemetry:SamplingRatio", "1");

    /// <summary>Registers the exporters; before AddTokenProxy (ProxyHost does), which listens for spans only when something receives them.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton<BaseProcessor<Activity>>(new SimpleActivityExportProcessor(new SpanExporter(this)));
        Reader = new BaseExportingMetricReader(new MetricExporter(this));
        services.AddSingleton(Reader);
    }

    public Activity[] Named(string name) => [.. Spans.Where(s => s.OperationName == name)];

    /// <summary>
    /// Spans of one connection. ActivitySources are process-wide, so proxies of other tests running in
    /// parallel in this process export here too: filter by what this test created.
    /// </summary>
    public Activity[] Named(string name, string connectionId) =>
        [.. Spans.Where(s => s.OperationName == name && s.GetTagItem("tokenproxy.connection.id") as string == connectionId)];

    private readonly ConcurrentQueue<(Func<Activity, bool> Match, TaskCompletionSource Done)> _waiters = new();

    /// <summary>Completes when a span matching <paramref name="match"/> has been exported (spans end after the response is sent).</summary>
    public Task WaitForSpanAsync(Func<Activity, bool> match)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue((match, done));
        if (Spans.Any(match))
        {
            done.TrySetResult();
        }

        return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private void Add(Activity activity)
    {
        Spans.Enqueue(activity);
        foreach (var (match, done) in _waiters)
        {
            if (match(activity))
            {
                done.TrySetResult();
            }
        }
    }

    /// <summary>Everything exported, as text, for leak checks: names, tags, status, events, metric names and tags.</summary>
    /// <param name="exclude">Spans that are not the proxy's: the test's own requests, recorded because they run in its process.</param>
    public string AllText(Func<Activity, bool>? exclude = null)
    {
        Reader.Collect();
        var spans = Spans.Where(s => exclude?.Invoke(s) != true).Select(s => string.Join("|", new[] { s.OperationName, s.DisplayName, s.StatusDescription ?? string.Empty }
            .Concat(s.TagObjects.Select(t => $"{t.Key}={t.Value}"))
            .Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")))));
        var points = Points.Select(p => $"{p.Name} {string.Join(",", p.Tags.Select(t => $"{t.Key}={t.Value}"))}");
        return string.Join('\n', spans.Concat(points));
    }

    private sealed class SpanExporter(CollectedTelemetry sink) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                sink.Add(activity);
            }

            return ExportResult.Success;
        }
    }

    private sealed class MetricExporter(CollectedTelemetry sink) : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    var tags = new Dictionary<string, object?>();
                    foreach (var tag in point.Tags)
                    {
                        tags[tag.Key] = tag.Value;
                    }

                    double value = metric.MetricType switch
                    {
                        MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                        MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
                        MetricType.LongGauge => point.GetGaugeLastValueLong(),
                        MetricType.DoubleGauge => point.GetGaugeLastValueDouble(),
                        MetricType.Histogram => point.GetHistogramCount(),
                        _ => 0,
                    };
                    sink.Points.Enqueue((metric.Name, tags, value));
                }
            }

            return ExportResult.Success;
        }
    }
}
