using System.Diagnostics;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TokenProxy.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The variable that turns export on; the exporter reads it (and the other OTEL_* variables) itself.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private const string SamplerVariable = "OTEL_TRACES_SAMPLER";

    /// <summary>
    /// TokenProxy's defaults for the standard variables, below every other configuration source: the OTLP
    /// exporter of .NET would otherwise speak gRPC and the service be called <c>unknown_service</c>.
    /// </summary>
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["OTEL_SERVICE_NAME"] = "tokenproxy",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
    };

    /// <summary>
    /// OpenTelemetry with TokenProxy's own source and meter next to ASP.NET Core's, HttpClient's, YARP's and
    /// Npgsql's, so one trace shows app → proxy → token endpoint → provider API. OTLP export only when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set in <paramref name="configuration"/> as it is now (environment,
    /// command line, appsettings): configuration sources added later do not turn export on. Span processors
    /// registered in DI before this call, and metric readers registered in DI, are added too.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfigurationManager configuration)
    {
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        var export = !string.IsNullOrEmpty(configuration[EndpointVariable]);
        // Spans have somewhere to go only with an exporter or a processor (an embedding host's, the tests' in-memory
        // one). Without either, nothing listens: each listener, even one whose sampler drops everything, costs every
        // proxied request an Activity for the server span, one for the outgoing request and the instrumentation's
        // callbacks (bench/results/hot-path-allocations.md). The app's trace context then reaches the API as it sent it.
        var traced = export || services.Any(d => d.ServiceType == typeof(BaseProcessor<Activity>));

        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        if (traced)
        {
            services.AddHostedService<AlwaysRecorded>();
        }

        services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                if (!traced)
                {
                    return;
                }

                tracing.AddSource(Telemetry.Name, "Yarp.ReverseProxy")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = ShownUrl.Enrich)
                    .AddNpgsql()
                    // First, so no exporter sees a query string.
                    .AddProcessor<QueryStringRedactor>();
                if (export)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                if (export)
                {
                    metrics.AddOtlpExporter();
                }
            });
        services.ConfigureOpenTelemetryTracerProvider(ConfigureTracing);
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) =>
        {
            var readers = provider.GetServices<MetricReader>().ToList();
            // Listening to a meter costs every measurement an aggregation: only when a reader will collect it.
            if (export || readers.Count > 0)
            {
                metrics.AddMeter(Meters);
                foreach (var instrument in Unexported)
                {
                    metrics.AddView(instrument, MetricStreamConfiguration.Drop);
                }
            }

            foreach (var reader in readers)
            {
                metrics.AddReader(reader);
            }
        });
        return services;
    }

    /// <summary>
    /// TokenProxy's and YARP's meters, and the built-in ones the ASP.NET Core, HttpClient and Npgsql instrumentation
    /// packages enable on .NET 8 and later (their metrics are these meters, nothing more).
    /// </summary>
    private static readonly string[] Meters =
    [
        Telemetry.Name, "Yarp.ReverseProxy",
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting",
        "System.Net.Http", "System.Net.NameResolution", "Npgsql",
    ];

    /// <summary>
    /// Built-in instruments not exported: each is updated once or twice on every proxied request and says little that
    /// <c>http.server.request.duration</c> and <c>http.client.request.duration</c> (which count the requests too) do not.
    /// An instrument every view drops is not enabled, so ASP.NET Core and HttpClient skip recording it altogether.
    /// </summary>
    internal static readonly string[] Unexported =
    [
        "http.server.active_requests", "aspnetcore.routing.match_attempts",
        "http.client.active_requests", "http.client.open_connections", "http.client.request.time_in_queue",
    ];

    private static void ConfigureTracing(IServiceProvider provider, TracerProviderBuilder tracing)
    {
        if (string.IsNullOrEmpty(provider.GetRequiredService<IConfiguration>()[SamplerVariable]))
        {
            // The standard variable wins; without it, SamplingRatio is the shortcut, parent-based like the SDK's default.
            var ratio = provider.GetRequiredService<IOptions<TelemetryOptions>>().Value.SamplingRatio;
            tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)));
        }

        foreach (var processor in provider.GetServices<BaseProcessor<Activity>>())
        {
            tracing.AddProcessor(processor);
        }

        // W3C trace context only. ASP.NET Core and HttpClient already read and write traceparent, tracestate and
        // baggage themselves (.NET's propagator, the Activity's baggage; YARP's for the forwarded request); with
        // OpenTelemetry's default (trace context + its Baggage API, which nothing here reads) the instrumentation does
        // both again on every request, sampled or not.
        Sdk.SetDefaultTextMapPropagator(new OpenTelemetry.Context.Propagation.TraceContextPropagator());
    }
}
