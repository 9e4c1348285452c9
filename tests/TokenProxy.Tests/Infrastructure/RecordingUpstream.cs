using System.Collections.Concurrent;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>One request as it arrived at a fake upstream.</summary>
internal sealed record RecordedRequest(string Method, string Host, string PathAndQuery, Dictionary<string, string[]> Headers, byte[] Body)
{
    public string? Header(string name) =>
        Headers.TryGetValue(name, out var values) ? string.Join(",", values) : null;
}

/// <summary>
/// An upstream API on loopback that records exactly what reached it (method, Host, raw target, every
/// header, the body) and answers with a configurable handler (200 JSON by default).
/// </summary>
internal sealed class RecordingUpstream : IAsyncDisposable
{
    private readonly LoopbackServer _server;

    private RecordingUpstream(LoopbackServer server) => _server = server;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Uri Address => _server.Address;

    /// <summary>Completes when the first request's head has arrived, before its body is read.</summary>
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers after recording; replace it to script responses.</summary>
    public Func<HttpContext, RecordedRequest, Task> Respond { get; set; } = (context, _) =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"ok":true}""");
    };

    public static async Task<RecordingUpstream> StartAsync()
    {
        RecordingUpstream? upstream = null;
        var server = await LoopbackServer.StartAsync(async context =>
        {
            upstream!.Arrived.TrySetResult();
            // A provider's API takes uploads larger than Kestrel's 30 MB default: so does this one.
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
            var recorded = new RecordedRequest(
                context.Request.Method,
                context.Request.Host.Value ?? string.Empty,
                target,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? string.Empty).ToArray(), StringComparer.OrdinalIgnoreCase),
                body.ToArray());
            upstream.Requests.Enqueue(recorded);
            await upstream.Respond(context, recorded);
        });
        upstream = new RecordingUpstream(server);
        return upstream;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
