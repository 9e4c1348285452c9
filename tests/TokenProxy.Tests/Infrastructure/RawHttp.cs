using System.Net.Sockets;
using System.Text;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// Sends a request byte for byte over a socket. HttpClient normalizes targets (<c>..</c>, absolute
/// form, Host) and the <c>Connection</c> header, which is exactly what hostile-input tests must not have done for them.
/// </summary>
internal static class RawHttp
{
    /// <summary>
    /// Sends <c>{method} {target} HTTP/1.1</c> with the given headers and returns the status code and the raw response.
    /// <c>Connection: close</c> is added unless the headers have their own <c>Connection</c> line; then the connection
    /// may stay open and one response is read by its framing (Content-Length or chunked).
    /// </summary>
    public static Task<(int Status, string Response)> SendAsync(Uri server, string method, string target, params string[] headers) =>
        SendWithBodyAsync(server, method, target, body: null, headers);

    /// <summary>As above, with <paramref name="body"/> (ASCII) after a <c>Content-Length</c> line, when there is one.</summary>
    public static async Task<(int Status, string Response)> SendWithBodyAsync(Uri server, string method, string target, string? body, params string[] headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        var hasHost = headers.Any(h => h.StartsWith("Host:", StringComparison.OrdinalIgnoreCase));
        var ownConnection = headers.Any(h => h.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase));
        var text = new StringBuilder($"{method} {target} HTTP/1.1\r\n");
        if (!hasHost)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"Host: {server.Authority}\r\n");
        }

        foreach (var header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        if (!ownConnection)
        {
            text.Append("Connection: close\r\n");
        }

        if (body is not null)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }

        text.Append("\r\n").Append(body);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
        var response = ownConnection ? await ReadOneResponseAsync(stream) : await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();
        return (Status(response), response);
    }

    /// <summary>Sends one GET per header set, one after another on a single kept-alive connection; returns the statuses.</summary>
    public static async Task<int[]> SendOnOneConnectionAsync(Uri server, string target, params string[][] requests)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        var statuses = new List<int>();
        foreach (var headers in requests)
        {
            var text = new StringBuilder($"GET {target} HTTP/1.1\r\n");
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"Host: {server.Authority}\r\n");
            foreach (var header in headers)
            {
                text.Append(header).Append("\r\n");
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(text.Append("\r\n").ToString()));
            statuses.Add(Status(await ReadOneResponseAsync(stream)));
        }

        return [.. statuses];
    }

    /// <summary>
    /// A client that stops uploading: sends the head of a request declaring <paramref name="contentLength"/> body bytes,
    /// then only <paramref name="sentBytes"/> of them, and waits for the server's answer (or its closing the connection).
    /// </summary>
    public static async Task<(int Status, string Response)> SendStalledAsync(
        Uri server, string method, string target, int contentLength, int sentBytes, params string[] headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        var text = new StringBuilder($"{method} {target} HTTP/1.1\r\n");
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"Host: {server.Authority}\r\nContent-Length: {contentLength}\r\n");
        foreach (var header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        text.Append("\r\n").Append('x', sentBytes);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
        var response = await ReadOneResponseAsync(stream);
        return (response.Length == 0 ? 0 : Status(response), response);
    }

    private static int Status(string response) => int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads one HTTP/1.1 response: the head, then a Content-Length body, a chunked body, or the rest of the stream.</summary>
    private static async Task<string> ReadOneResponseAsync(Stream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                return Encoding.UTF8.GetString([.. received]);
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString([.. received], 0, headEnd);
        var lines = head.Split("\r\n");
        var length = lines.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => (int?)int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var chunked = lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        var bodyStart = headEnd + 4;
        // A chunked body ends with the last chunk "0\r\n\r\n", at the start of the body or after a chunk's CRLF.
        bool Complete() => length is { } n
            ? received.Count >= bodyStart + n
            : chunked && EndsWith(received, "0\r\n\r\n"u8) && (received.Count - 5 == bodyStart || EndsWith(received, "\r\n0\r\n\r\n"u8));
        while (!Complete())
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        return Encoding.UTF8.GetString([.. received]);
    }

    private static bool EndsWith(List<byte> bytes, ReadOnlySpan<byte> value) =>
        bytes.Count >= value.Length && IndexOf(bytes.GetRange(bytes.Count - value.Length, value.Length), value) == 0;

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> value)
    {
        for (var i = 0; i + value.Length <= bytes.Count; i++)
        {
            var match = true;
            for (var j = 0; j < value.Length && match; j++)
            {
                match = bytes[i + j] == value[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
