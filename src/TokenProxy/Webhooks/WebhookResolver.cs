using System.Net;

namespace TokenProxy.Webhooks;

/// <summary>Resolves a webhook's host name at connect time: the system resolver, or (in tests) a table.</summary>
internal sealed class WebhookResolver(Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        resolve is not null ? resolve(host, cancellationToken) : Dns.GetHostAddressesAsync(host, cancellationToken);
}
