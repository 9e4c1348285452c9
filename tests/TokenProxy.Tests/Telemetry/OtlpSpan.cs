namespace TokenProxy.Tests.Telemetry;

/// <summary>One span as an OTLP collector received it. <see cref="StatusCode"/>: 0 unset, 1 ok, 2 error.</summary>
internal sealed record OtlpSpan(
    string Service, string Name, string TraceId, string ParentSpanId, IReadOnlyDictionary<string, string> Attributes, int StatusCode, string? StatusMessage, int Links)
{
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);
}
