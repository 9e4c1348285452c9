using System.Net.WebSockets;
using System.Text;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>WebSocket upgrades pass through with the token on the handshake (and Origin-checked, see CrossSiteRequestTests).</summary>
public sealed class WebSocketTests
{
    [Fact]
    public async Task WebSocket_upgrade_is_proxied_with_the_token_on_the_handshake()
    {
        string? handshakeAuthorization = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var upstream = builder.Build();
        upstream.UseWebSockets();
        upstream.Run(async context =>
        {
            handshakeAuthorization = context.Request.Headers.Authorization;
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        });
        await upstream.StartAsync();
        var upstreamAddress = new Uri(upstream.Urls.First());
        var token = Canary.New("ws");
        await using var proxy = await ProxyHost.StartAsync(ProxyHost.Provider("acme", upstreamAddress));
        await proxy.ImportAsync("acme", token);

        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Address.Port}/acme/socket"), CancellationToken.None);
        await client.SendAsync(Encoding.UTF8.GetBytes("ping"), WebSocketMessageType.Text, true, CancellationToken.None);
        var echo = new byte[1024];
        var result = await client.ReceiveAsync(echo, CancellationToken.None);

        Assert.Equal("ping", Encoding.UTF8.GetString(echo, 0, result.Count));
        Assert.Equal($"Bearer {token}", handshakeAuthorization);
    }
}
