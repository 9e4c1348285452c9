using System.Net.Sockets;
using System.Text;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Admin;

/// <summary>A JSON body over the server's limit (30 MB) is refused the same way wherever the admin API reads one.</summary>
public sealed class AdminBodyLimitTests
{
    [Theory]
    [InlineData("PUT", "/admin/api/providers/gamma")]
    [InlineData("POST", "/admin/api/connections")]
    [InlineData("PUT", "/admin/api/webhooks/ops")]
    [InlineData("POST", "/admin/api/workspaces")]
    public async Task A_body_over_the_limit_is_413_request_too_large_with_no_stack_trace_in_the_log(string method, string path)
    {
        await using var proxy = await ProxyHost.StartAsync();

        // Over a socket, as curl sends it: the server answers once it sees the length and closes the connection rather
        // than read 31 MB, which HttpClient reports as a failed send instead of the answer.
        var answer = await SendDeclaringLengthAsync(proxy.Client.BaseAddress!, method, path, 31L * 1024 * 1024);

        Assert.StartsWith("HTTP/1.1 413 ", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"code\":\"request_too_large\"", answer, StringComparison.Ordinal);
        Assert.DoesNotContain(proxy.Logs.Lines, l => l.Contains("BadHttpRequestException", StringComparison.Ordinal) && (l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Warning", StringComparison.Ordinal)));
    }

    /// <summary>Sends the request line and headers declaring <paramref name="length"/> bytes and a first few; reads the answer until the server closes.</summary>
    private static async Task<string> SendDeclaringLengthAsync(Uri server, string method, string path, long length)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        var head = $"{method} {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nTokenProxy-Csrf: 1\r\nContent-Length: {length}\r\n\r\n{{  ";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
