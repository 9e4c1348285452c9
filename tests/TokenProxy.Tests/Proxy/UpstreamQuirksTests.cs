using System.Net;
using System.Net.Sockets;
using System.Text;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// API answers that break HTTP's rules or reach past the app, written byte for byte by a raw socket server (Kestrel
/// would not send them): what the app gets must still be a well-formed answer with nothing of the proxy's own in it.
/// </summary>
public sealed class UpstreamQuirksTests : IAsyncLifetime
{
    private readonly TcpListener _raw = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private ProxyScenario _scenario = null!;
    private string _answer = string.Empty;

    public async Task InitializeAsync()
    {
        _raw.Start();
        _ = Task.Run(ServeAsync);
        var rawBase = new Uri($"http://127.0.0.1:{((IPEndPoint)_raw.LocalEndpoint).Port}/");
        _scenario = await ProxyScenario.StartAsync((settings, _) => ProxyHost.AddProvider(settings, "raw", rawBase));
        await _scenario.Proxy.ImportAsync("raw", Canary.New("access"));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _raw.Stop();
        await _scenario.DisposeAsync();
    }

    /// <summary>Each connection: read one request's head, write <see cref="_answer"/>, close.</summary>
    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _raw.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer);
                    if (read == 0)
                    {
                        break;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes(_answer));
                await stream.FlushAsync();
            }
        }
    }

    [Fact]
    public async Task A_204_with_a_content_length_reaches_the_app_as_a_204_not_a_500()
    {
        _answer = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nConnection: close\r\n\r\n";

        using var response = await _scenario.Proxy.Client.DeleteAsync("/raw/items/1");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.DoesNotContain(_scenario.Proxy.Logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_101_to_a_request_that_asked_for_no_upgrade_is_the_apis_failure_not_the_apps()
    {
        _answer = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";

        using var response = await _scenario.Proxy.Client.GetAsync("/raw/items");

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "upstream_unavailable");
    }

    [Fact]
    public async Task Fields_the_api_names_in_connection_stay_on_its_hop()
    {
        _answer = "HTTP/1.1 200 OK\r\nConnection: X-Hop-Secret, Content-Language, close\r\nX-Hop-Secret: internal\r\nContent-Language: de\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\n{}";

        using var response = await _scenario.Proxy.Client.GetAsync("/raw/items");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Hop-Secret"));
        Assert.Empty(response.Content.Headers.ContentLanguage);
        Assert.Equal(["yes"], response.Headers.GetValues("X-Kept"));
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Fields_the_api_names_in_a_101s_connection_stay_on_its_hop_and_the_upgrade_goes_through()
    {
        _answer = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade, X-Hop-Secret\r\nUpgrade: websocket\r\n" +
            "X-Hop-Secret: internal\r\nX-Kept: yes\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
        var proxy = _scenario.Proxy.Client.BaseAddress!;
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.Host, proxy.Port);
        var stream = client.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /raw/socket HTTP/1.1\r\nHost: {proxy.Authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
        var head = await ReadHeadAsync(stream);

        Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);
        Assert.Contains("\r\nUpgrade: websocket\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nX-Kept: yes\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("X-Hop-Secret: internal", head, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return head.ToString();
    }

    [Fact]
    public async Task The_api_cannot_set_or_clear_the_proxys_own_cookies_and_its_other_cookies_reach_the_app()
    {
        _answer = "HTTP/1.1 200 OK\r\n" +
            "Set-Cookie: tokenproxy_portal=attackers-session; Path=/portal; HttpOnly\r\n" +
            "Set-Cookie: TokenProxy_Admin=; Path=/admin; Expires=Thu, 01 Jan 1970 00:00:00 GMT\r\n" +
            // No name: a browser that took it would send "tokenproxy_admin=forged" back as if it were named so.
            "Set-Cookie: =tokenproxy_admin=forged; Path=/admin\r\n" +
            "Set-Cookie: api_session=abc; Path=/raw\r\n" +
            "Content-Length: 2\r\nConnection: close\r\n\r\n{}";

        using var response = await _scenario.Proxy.Client.GetAsync("/raw/items");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["api_session=abc; Path=/raw"], response.Headers.GetValues("Set-Cookie"));
    }
}
