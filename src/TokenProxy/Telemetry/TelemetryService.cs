using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TokenProxy.Hosting;

namespace TokenProxy.Telemetry;

/// <summary>
/// Owns the OpenTelemetry tracer and meter providers (the hosting package is not available here, so this
/// hosted service does what it would). Subscribes to TokenProxy's own source and meter and to the ones
/// ASP.NET Core, HttpClient and YARP emit natively, so one trace shows app → proxy → token endpoint →
/// upstream. Export is OTLP when an endpoint is configured; processors and readers registered in DI
/// (tests' in-memory exporters) are added too. Nothing is created when neither exists.
/// </summary>
internal sealed class TelemetryService : IHostedService, IDisposable
{
    private static readonly string[] Sources = [Telemetry.Name, "Microsoft.AspNetCore", "System.Net.Http", "Yarp.ReverseProxy"];
    private static readonly string[] Meters = [Telemetry.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "Yarp.ReverseProxy"];

    private readonly TracerProvider? _tracing;
    private readonly MeterProvider? _metrics;

    public TelemetryService(IOptions<TokenProxyOptions> options, IConfiguration configuration, IEnumerable<BaseProcessor<Activity>> processors, IEnumerable<MetricReader> readers)
    {
        var settings = options.Value.Telemetry;
        var endpoint = settings.OtlpEndpoint ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var grpc = (settings.OtlpProtocol ?? configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) == "grpc";
        var extraProcessors = processors.ToList();
        var extraReaders = readers.ToList();
        if (string.IsNullOrEmpty(endpoint) && extraProcessors.Count == 0 && extraReaders.Count == 0)
        {
            return;
        }

        var resource = ResourceBuilder.CreateDefault().AddService(settings.ServiceName ?? configuration["OTEL_SERVICE_NAME"] ?? "tokenproxy");
        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(Sources)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(Math.Clamp(settings.SamplingRatio, 0, 1))));
        var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(Meters);
        if (!string.IsNullOrEmpty(endpoint))
        {
            tracing.AddOtlpExporter(o => Configure(o, endpoint, grpc, "v1/traces"));
            metrics.AddOtlpExporter(o => Configure(o, endpoint, grpc, "v1/metrics"));
        }

        extraProcessors.ForEach(p => tracing.AddProcessor(p));
        extraReaders.ForEach(r => metrics.AddReader(r));
        _tracing = tracing.Build();
        _metrics = metrics.Build();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Flushes what is buffered, so the last spans of a run are not lost at shutdown.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _tracing?.ForceFlush(5000);
        _metrics?.ForceFlush(5000);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _tracing?.Dispose();
        _metrics?.Dispose();
    }

    /// <summary>OTLP/HTTP posts each signal to its own path under the base address; gRPC uses the address as it is.</summary>
    private static void Configure(OtlpExporterOptions exporter, string endpoint, bool grpc, string signalPath)
    {
        exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = grpc ? new Uri(endpoint) : new Uri($"{endpoint.TrimEnd('/')}/{signalPath}");
    }
}
