using System.Net;
using System.Net.Sockets;

namespace TokenProxy.Webhooks;

/// <summary>
/// Where a webhook may send (docs/architecture.md §12): https anywhere public; loopback always (http too); private,
/// link-local and reserved addresses only when <see cref="WebhooksOptions.AllowPrivateNetworks"/> is set. What an address
/// literal decides is refused when the webhook is configured; a name is checked again on every connection against the
/// addresses it resolves to (<see cref="WebhookHttp"/>), so a name that resolves to 10.0.0.1 is refused too.
/// </summary>
internal static class WebhookAddress
{
    internal enum Kind
    {
        Public,
        Loopback,
        Private,
    }

    /// <summary>Why the URL cannot be a webhook's, or null when it can (as far as can be told before resolving its name).</summary>
    public static string? Problem(string url, bool allowPrivateNetworks)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
        {
            return "an absolute https URL, or http to a loopback address.";
        }

        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return "no user name, password or fragment in a webhook URL.";
        }

        var literal = IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) ? Classify(address) : (Kind?)null;
        var loopbackName = uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase);
        if (literal is Kind.Private && !allowPrivateNetworks)
        {
            return "a private, link-local or reserved address; set TokenProxy:Webhooks:AllowPrivateNetworks=true to allow it.";
        }

        if (uri.Scheme == "http" && literal is not Kind.Loopback && !loopbackName && !(allowPrivateNetworks && literal is Kind.Private))
        {
            return "https, or http only to a loopback address (127.0.0.1, [::1], localhost).";
        }

        return null;
    }

    /// <summary>Whether a connection for a request of <paramref name="scheme"/> may go to <paramref name="address"/>.</summary>
    public static bool Allows(IPAddress address, string scheme, bool allowPrivateNetworks) => Classify(address) switch
    {
        Kind.Loopback => true,
        Kind.Private => allowPrivateNetworks,
        _ => scheme == "https",
    };

    public static Kind Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return Kind.Loopback;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or >= 224 => Kind.Private,                       // this network; RFC 1918; multicast and reserved
                100 when (b[1] & 0xC0) == 64 => Kind.Private,           // RFC 6598 shared address space
                169 when b[1] == 254 => Kind.Private,                   // link-local, cloud metadata
                172 when (b[1] & 0xF0) == 16 => Kind.Private,           // RFC 1918
                192 when b[1] == 168 => Kind.Private,                   // RFC 1918
                192 when b[1] == 0 && b[2] is 0 or 2 => Kind.Private,   // IETF protocol assignments; TEST-NET-1
                198 when (b[1] & 0xFE) == 18 => Kind.Private,           // benchmarking
                198 when b[1] == 51 && b[2] == 100 => Kind.Private,     // TEST-NET-2
                203 when b[1] == 0 && b[2] == 113 => Kind.Private,      // TEST-NET-3
                _ => Kind.Public,
            };
        }

        var v6 = address.GetAddressBytes();
        if (v6[0] == 0x20 && v6[1] == 0x02)
        {
            // 6to4 (2002::/16, RFC 3056) carries an IPv4 address in bytes 2-5 and reaches it: judged as that address.
            return Classify(new IPAddress(v6.AsSpan(2, 4)));
        }

        return address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (v6[0] & 0xFE) == 0xFC                                                   // unique local fc00::/7
            || (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0D && v6[3] == 0xB8)      // documentation 2001:db8::/32
            || (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xFF && v6[3] == 0x9B)      // NAT64 64:ff9b::/96 reaches IPv4 inside
            || (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x00 && v6[3] == 0x00)      // Teredo 2001::/32 tunnels to IPv4 hosts
            || v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0                           // IPv4-compatible ::a.b.c.d (deprecated) and ::
            || address.IsIPv4MappedToIPv6
            ? Kind.Private
            : Kind.Public;
    }
}
