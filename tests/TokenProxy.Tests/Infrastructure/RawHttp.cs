using System.Net.Sockets;
using System.Text;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// Sends a request byte for byte over a socket. HttpClient normalizes targets (<c>..</c>, absolute
/// form, Host), which is exactly what hostile-input tests must not have done for them.
/// </summary>
internal static class RawHttp
{
    /// <summary>Sends <c>{method} {target} HTTP/1.1</c> with the given headers and returns the status code and the raw response.</summary>
    public static async Task<(int Status, string Response)> SendAsync(Uri server, string method, string target, params string[] headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        var hasHost = headers.Any(h => h.StartsWith("Host:", StringComparison.OrdinalIgnoreCase));
        var text = new StringBuilder($"{method} {target} HTTP/1.1\r\n");
        if (!hasHost)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"Host: {server.Authority}\r\n");
        }

        foreach (var header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        text.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, response);
    }
}
