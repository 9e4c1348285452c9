using Microsoft.Extensions.Primitives;

namespace TokenProxy.Proxy;

/// <summary>
/// Removes from an outgoing request everything the app must not pass to the provider: its own
/// credentials (the proxy's token replaces them; MCP "token passthrough"), our control headers, forwarding
/// headers nobody configured us to trust (RFC 9700 §4.13), and fields the app named in
/// <c>Connection</c>, which are hop-by-hop by definition (RFC 9110 §7.6.1).
/// </summary>
internal static class HeaderHygiene
{
    private static readonly string[] Removed =
    [
        "Authorization", "Proxy-Authorization", "Cookie", "Cookie2", "Forwarded", "Via",
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade",
    ];

    public static void Clean(HttpRequestMessage proxyRequest, StringValues inboundConnection, string injectedHeader)
    {
        var headers = proxyRequest.Headers;
        foreach (var name in Removed)
        {
            headers.Remove(name);
        }

        headers.Remove(injectedHeader);
        foreach (var value in inboundConnection)
        {
            foreach (var name in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                headers.Remove(name);
                proxyRequest.Content?.Headers.Remove(name);
            }
        }

        List<string>? prefixed = null;
        // NonValidated: only the names are read. Enumerating the validated view would parse every value on every
        // request (~500 B allocated for three headers) and re-serialize them normalized ("a,b" → "a, b"); this way
        // the app's headers reach the API as they were sent, as with plain YARP.
        foreach (var header in headers.NonValidated)
        {
            if (header.Key.StartsWith("TokenProxy-", StringComparison.OrdinalIgnoreCase)
                || header.Key.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
            {
                (prefixed ??= []).Add(header.Key);
            }
        }

        if (prefixed is not null)
        {
            foreach (var name in prefixed)
            {
                headers.Remove(name);
            }
        }
    }
}
