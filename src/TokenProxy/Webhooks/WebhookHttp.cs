using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace TokenProxy.Webhooks;

/// <summary>
/// The one HTTP client of webhook deliveries (docs/architecture.md §12): no redirects followed, no proxy from the
/// environment (HTTPS_PROXY would move the connection to another host than the one checked), and every connection made
/// only to an address <see cref="WebhookAddress.Allows"/>, checked on the addresses the name resolved to, at connect time
/// (a check before sending could be answered differently by DNS a moment later).
/// </summary>
internal sealed class WebhookHttp : IDisposable
{
    /// <summary>How long one delivery may take, connect to the answer's headers.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public WebhookHttp(IOptions<WebhooksOptions> options, WebhookResolver resolver)
    {
        var allowPrivate = options.Value.AllowPrivateNetworks;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 32,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var scheme = context.InitialRequestMessage.RequestUri?.Scheme ?? "https";
                var host = context.DnsEndPoint.Host;
                var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
                    ? [literal]
                    : await resolver.ResolveAsync(host, cancellationToken);
                // Every address must be allowed, not just one: which one a retry would reach is not ours to choose.
                if (addresses.Length == 0 || addresses.Any(a => !WebhookAddress.Allows(a, scheme, allowPrivate)))
                {
                    throw new WebhookAddressRefusedException(
                        $"{host} resolves to an address webhooks may not reach ({string.Join(", ", addresses.Select(a => WebhookAddress.Classify(a).ToString().ToLowerInvariant()).Distinct())}).");
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        Client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("TokenProxy-Webhooks/1");
    }

    public HttpClient Client { get; }

    public void Dispose() => Client.Dispose();
}
