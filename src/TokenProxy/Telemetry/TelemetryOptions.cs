namespace TokenProxy.Telemetry;

/// <summary>
/// <c>TokenProxy:Telemetry</c>. The standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>
/// and <c>OTEL_SERVICE_NAME</c> variables are used when these are not set.
/// </summary>
internal sealed class TelemetryOptions
{
    /// <summary>OTLP collector base address (e.g. <c>http://127.0.0.1:4318</c>). No endpoint: no export.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>http/protobuf</c> (default) or <c>grpc</c>.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>The <c>service.name</c> resource attribute. Default: <c>tokenproxy</c>.</summary>
    public string? ServiceName { get; set; }

    /// <summary>Share of new traces recorded (0 to 1), parent-based: a sampled caller's trace is always continued. Default: 0.1.</summary>
    public double SamplingRatio { get; set; } = 0.1;
}
