namespace TokenProxy.Telemetry;

/// <summary>
/// <c>TokenProxy:Telemetry</c>. Export is configured with the standard OpenTelemetry variables
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>,
/// <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_TRACES_SAMPLER</c>), which the SDK reads itself.
/// </summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "TokenProxy:Telemetry";

    /// <summary>
    /// Share of new traces recorded (0 to 1), parent-based: a sampled caller's trace is always continued.
    /// A shortcut used only when <c>OTEL_TRACES_SAMPLER</c> is not set (the standard variable wins). Refresh,
    /// connect, callback and revoke spans are exported whatever the ratio.
    /// </summary>
    /// <value>Default: 0.1; 0 to 1 (anything else stops startup, named).</value>
    public double SamplingRatio { get; set; } = 0.1;
}
