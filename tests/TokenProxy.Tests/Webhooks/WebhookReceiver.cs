using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Webhooks;

/// <summary>
/// A real receiver on loopback that records every delivery and checks its signature the way the README tells receivers
/// to (HMAC-SHA256 of "{t}.{body}" with the secret, compared in constant time). What it answers is the test's to script.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    public const string DefaultSecret = "receiver-secret-0123456789";

    private readonly ConcurrentQueue<Received> _received = new();
    private LoopbackServer _server = null!;

    private WebhookReceiver(string secret) => Secret = secret;

    public string Secret { get; }

    public Uri Url => new(_server.Address, "/hook");

    /// <summary>The answer to the n-th request (0-based): a status and, if any, a Retry-After value.</summary>
    public Func<int, (int Status, string? RetryAfter, string? Location)> Respond { get; set; } = _ => (200, null, null);

    /// <summary>When set, requests wait for it before answering (a receiver that hangs).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public IReadOnlyList<Received> Requests => [.. _received];

    /// <summary>Requests that arrived, answered or not (held).</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    private int _arrived;

    public static async Task<WebhookReceiver> StartAsync(string secret = DefaultSecret)
    {
        var receiver = new WebhookReceiver(secret);
        var count = -1;
        receiver._server = await LoopbackServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var n = Interlocked.Increment(ref count);
            Interlocked.Increment(ref receiver._arrived);
            if (receiver.Hold is { } hold)
            {
                await hold.Task;
            }

            var (status, retryAfter, location) = receiver.Respond(n);
            var signature = context.Request.Headers["TokenProxy-Signature"].ToString();
            receiver._received.Enqueue(new Received(
                context.Request.Headers["TokenProxy-Event-Id"].ToString(),
                context.Request.Headers["TokenProxy-Event-Type"].ToString(),
                signature,
                body,
                status,
                Verify(receiver.Secret, signature, body),
                context.Request.ContentType,
                context.Request.Method));
            context.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            if (location is not null)
            {
                context.Response.Headers.Location = location;
            }
        });
        return receiver;
    }

    /// <summary>Waits (polling; the deliveries come from a background worker) until <paramref name="done"/> holds.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<IReadOnlyList<Received>, bool> done, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var requests = Requests;
            if (done(requests))
            {
                return requests;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The receiver never saw {what}; it saw {requests.Count} request(s): {string.Join(", ", requests.Select(r => $"{r.EventType} {r.Status}"))}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The receiver's check: t and v1 from the header, HMAC-SHA256(secret, "{t}.{body}"), compared in constant time.</summary>
    public static bool Verify(string secret, string header, string body)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1))
        {
            return false;
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(v1));
    }

    public async ValueTask DisposeAsync()
    {
        Hold?.TrySetResult();
        await _server.DisposeAsync();
    }

    internal sealed record Received(
        string EventId, string EventType, string Signature, string Body, int Status, bool SignatureValid, string? ContentType, string Method);
}
