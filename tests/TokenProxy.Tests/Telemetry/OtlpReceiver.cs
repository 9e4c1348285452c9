using System.Collections.Concurrent;
using System.Text;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Telemetry;

/// <summary>
/// An OTLP/HTTP collector on loopback: what the real exporter sends to <c>/v1/traces</c> (protobuf) is decoded
/// into <see cref="OtlpSpan"/>s. The decoder reads only the fields the tests look at
/// (opentelemetry/proto/trace/v1/trace.proto, common/v1/common.proto); everything else is skipped by wire type.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly LoopbackServer _server;

    private OtlpReceiver(LoopbackServer server) => _server = server;

    public Uri Address => _server.Address;

    public ConcurrentQueue<OtlpSpan> Spans { get; } = new();

    /// <summary>Content types of every trace export, to show the real exporter spoke protobuf.</summary>
    public ConcurrentQueue<string?> ContentTypes { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        OtlpReceiver? receiver = null;
        var server = await LoopbackServer.StartAsync(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            if (context.Request.Path == "/v1/traces")
            {
                receiver!.ContentTypes.Enqueue(context.Request.ContentType);
                foreach (var span in DecodeTraces(body.ToArray()).ToList())
                {
                    receiver.Spans.Enqueue(span);
                }
            }

            context.Response.ContentType = "application/x-protobuf";
        });
        receiver = new OtlpReceiver(server);
        return receiver;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static IEnumerable<OtlpSpan> DecodeTraces(byte[] request)
    {
        // ExportTraceServiceRequest { 1: ResourceSpans { 1: Resource { 1: KeyValue }, 2: ScopeSpans { 2: Span } } }
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        {
            var service = "";
            foreach (var resource in Fields(resourceSpans.Bytes).Where(f => f.Number == 1))
            {
                service = Attributes(resource.Bytes).GetValueOrDefault("service.name", "");
            }

            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
            {
                foreach (var span in Fields(scopeSpans.Bytes).Where(f => f.Number == 2))
                {
                    yield return DecodeSpan(service, span.Bytes);
                }
            }
        }
    }

    private static OtlpSpan DecodeSpan(string service, byte[] span)
    {
        // Span { 1: trace_id, 2: span_id, 4: parent_span_id, 5: name, 6: kind, 9: attributes, 13: links, 15: Status { 2: message, 3: code } }
        var fields = Fields(span).ToList();
        var status = fields.LastOrDefault(f => f.Number == 15);
        var statusFields = status.Bytes is null ? [] : Fields(status.Bytes).ToList();
        return new OtlpSpan(
            service,
            Text(fields.First(f => f.Number == 5).Bytes),
            Convert.ToHexStringLower(fields.First(f => f.Number == 1).Bytes),
            Convert.ToHexStringLower(fields.First(f => f.Number == 2).Bytes),
            Convert.ToHexStringLower(fields.FirstOrDefault(f => f.Number == 4).Bytes ?? []),
            (int)fields.FirstOrDefault(f => f.Number == 6).Varint,
            Attributes(span, number: 9),
            (int)statusFields.FirstOrDefault(f => f.Number == 3).Varint,
            statusFields.FirstOrDefault(f => f.Number == 2).Bytes is { } message ? Text(message) : null,
            fields.Count(f => f.Number == 13));
    }

    /// <summary>KeyValue { 1: key, 2: AnyValue { 1: string, 2: bool, 3: int } } fields of a message.</summary>
    private static Dictionary<string, string> Attributes(byte[] message, int number = 1)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyValue in Fields(message).Where(f => f.Number == number))
        {
            var parts = Fields(keyValue.Bytes).ToList();
            var key = Text(parts.First(p => p.Number == 1).Bytes);
            var value = parts.FirstOrDefault(p => p.Number == 2).Bytes is { } any ? Fields(any).FirstOrDefault() : default;
            attributes[key] = value.Number switch
            {
                1 => Text(value.Bytes),
                2 => (value.Varint != 0).ToString(),
                3 => ((long)value.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "",
            };
        }

        return attributes;
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The protobuf wire format: each field is a varint key (number &lt;&lt; 3 | wire type) and its value.</summary>
    private static IEnumerable<(int Number, ulong Varint, byte[] Bytes)> Fields(byte[] message)
    {
        var at = 0;
        while (at < message.Length)
        {
            var key = ReadVarint(message, ref at);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    yield return (number, ReadVarint(message, ref at), null!);
                    break;
                case 1:
                    yield return (number, BitConverter.ToUInt64(message, at), null!);
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref at);
                    yield return (number, 0, message[at..(at + length)]);
                    at += length;
                    break;
                case 5:
                    yield return (number, BitConverter.ToUInt32(message, at), null!);
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {key & 7} is not OTLP.");
            }
        }
    }

    private static ulong ReadVarint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
