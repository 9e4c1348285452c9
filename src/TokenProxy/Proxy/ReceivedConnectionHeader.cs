using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Net.Http.Headers;

namespace TokenProxy.Proxy;

/// <summary>
/// Gives each request its <c>Connection</c> field as the client sent it. Kestrel parses <c>Connection</c> for its own
/// use and, when exactly one of keep-alive, close and upgrade is among its options, replaces the whole value with that
/// option: <c>Connection: keep-alive, X-Secret</c> reaches the app as <c>keep-alive</c>, and the fields it names,
/// hop-by-hop by definition (RFC 9110 §7.6.1), could not be kept from the provider. So the lines are recorded while
/// Kestrel decodes them (through its header decoding callback) and put back before the first middleware runs.
/// </summary>
internal sealed class ReceivedConnectionHeader : IStartupFilter
{
    // One list per client connection, set before Kestrel reads from it. HTTP/1.x parses a request's head only after the
    // previous request on the connection has finished, so the list holds the lines of the request being parsed.
    // Unused for HTTP/2 and HTTP/3, where a Connection field makes the request malformed (RFC 9113 §8.2.2).
    private static readonly AsyncLocal<List<string>?> Received = new();

    public static void Configure(KestrelServerOptions kestrel)
    {
        var selector = kestrel.RequestHeaderEncodingSelector;
        kestrel.RequestHeaderEncodingSelector = name =>
            string.Equals(name, HeaderNames.Connection, StringComparison.OrdinalIgnoreCase) ? RecordingEncoding.Instance : selector(name);
        // Kestrel keeps one endpoint-defaults action (a second call replaces this one): anything else that needs
        // one must be added here.
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => async connection =>
        {
            Received.Value = [];
            await next(connection);
        }));
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(RestoreAsync);
        next(app);
    };

    private static Task RestoreAsync(HttpContext context, RequestDelegate next)
    {
        // Most requests send no Connection line: nothing was recorded, nothing is left for Kestrel to reuse, and no
        // state machine is spent on them.
        if (Received.Value is not { Count: > 0 } received || !(HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol)))
        {
            return next(context);
        }

        context.Request.Headers.Connection = received.ToArray();
        received.Clear();
        return RestoreThenNextAsync(context, next);
    }

    private static async Task RestoreThenNextAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        finally
        {
            // Kestrel keeps a header's string for the next request on the connection and, when that request sends the
            // same bytes, reuses it without decoding them again (so without recording them) before replacing it as
            // above. With no value left to reuse, every Connection line of the next request is recorded.
            context.Request.Headers.Remove(HeaderNames.Connection);
        }
    }

    /// <summary>Decodes as Kestrel does by default (UTF-8, invalid bytes and NUL refused) and records what it decoded.</summary>
    private sealed class RecordingEncoding : Encoding
    {
        public static readonly RecordingEncoding Instance = new();

        private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public override int GetByteCount(char[] chars, int index, int count) => Utf8.GetByteCount(chars, index, count);

        public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) =>
            Utf8.GetBytes(chars, charIndex, charCount, bytes, byteIndex);

        public override int GetCharCount(byte[] bytes, int index, int count) => Utf8.GetCharCount(bytes, index, count);

        // Every string decoding path of Encoding ends here.
        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
        {
            var written = Utf8.GetChars(bytes, byteIndex, byteCount, chars, charIndex);
            var value = new string(chars, charIndex, written);
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new DecoderFallbackException("A header value must not contain NUL.");
            }

            Received.Value?.Add(value);
            return written;
        }

        public override int GetMaxByteCount(int charCount) => Utf8.GetMaxByteCount(charCount);

        public override int GetMaxCharCount(int byteCount) => Utf8.GetMaxCharCount(byteCount);
    }
}
