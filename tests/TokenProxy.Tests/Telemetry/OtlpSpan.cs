namespace TokenProxy.Tests.Telemetry;

/// <summary>
/// One span as an OTLP collector received it. <see cref="Kind"/>: 1 internal, 2 server, 3 client. <see cref="StatusCode"/>:
/// 0 unset, 1 ok, 2 error.
/// </summary>
internal sealed record OtlpSpan(
    string Service, string Name, string TraceId, string SpanId, string ParentSpanId, int Kind, IReadOnlyDictionary<string, string> Attributes,
    int StatusCode, string? StatusMessage, int Links)
{
    public const int Client = 3;

    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);
}
