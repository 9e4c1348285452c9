namespace TokenProxy.Providers;

/// <summary>
/// One <c>AllowedHosts</c> entry of a provider whose URLs have a placeholder in the host: a host name or IP literal, or
/// <c>*.domain</c>, with an optional <c>:port</c> or <c>:*</c>. Without a port only the scheme's default port is allowed.
/// A wildcard stands for exactly one DNS label, as in a TLS certificate (RFC 6125 §6.4.3): <c>*.zendesk.com</c> allows
/// <c>acme.zendesk.com</c> and never <c>a.evil.zendesk.com</c>; a deeper domain is listed on its own
/// (<c>*.sandbox.my.salesforce.com</c>).
/// </summary>
internal sealed record AllowedHost(string Host, bool Wildcard, int? Port, bool AnyPort)
{
    public override string ToString() =>
        (Wildcard ? "*." : string.Empty) + Host + (AnyPort ? ":*" : Port is { } p ? $":{p}" : string.Empty);

    /// <summary>The entry, or null with the reason in <paramref name="problem"/>. An internationalized name is written as its A-label (RFC 5891), as it goes on the wire.</summary>
    public static AllowedHost? Parse(string? entry, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(entry) || entry.Any(c => c is <= ' ' or >= '\u007f'))
        {
            problem = "is empty or not printable ASCII";
            return null;
        }

        if (entry.Contains("://", StringComparison.Ordinal) || entry.Contains('/', StringComparison.Ordinal))
        {
            // A URL where a host is expected ("https://x.example.com"): the scheme is the URL template's, not the entry's.
            problem = "has a scheme or a path: write the host alone, with an optional :port (x.example.com, not https://x.example.com/)";
            return null;
        }

        var host = entry;
        int? port = null;
        var anyPort = false;
        var colon = entry.LastIndexOf(':');
        // An IPv6 literal keeps its colons inside brackets: only a colon after "]" (or in a name) starts a port.
        if (colon >= 0 && (entry[0] != '[' || colon > entry.IndexOf(']', StringComparison.Ordinal)))
        {
            host = entry[..colon];
            var portText = entry[(colon + 1)..];
            if (portText == "*")
            {
                anyPort = true;
            }
            else if (int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535)
            {
                port = p;
            }
            else
            {
                problem = $"has port '{portText}', which is not 1-65535 or *";
                return null;
            }
        }

        var wildcard = host.StartsWith("*.", StringComparison.Ordinal);
        var name = (wildcard ? host[2..] : host).ToLowerInvariant();
        if (name.Contains('*', StringComparison.Ordinal) || Uri.CheckHostName(name.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            problem = "is not a host name, an IP literal or *.domain";
            return null;
        }

        // "*.com" would allow every name under a top-level domain.
        if (wildcard && (!name.Contains('.', StringComparison.Ordinal) || Uri.CheckHostName(name) != UriHostNameType.Dns))
        {
            problem = "has a wildcard over less than two labels of a domain name";
            return null;
        }

        return new AllowedHost(name, wildcard, port, anyPort);
    }

    /// <summary>True when <paramref name="url"/>'s host (as sent on the wire: <see cref="Uri.IdnHost"/>) and port are allowed by this entry.</summary>
    public bool Matches(Uri url)
    {
        var portAllowed = AnyPort || (Port is { } port ? url.Port == port : url.IsDefaultPort);
        if (!portAllowed)
        {
            return false;
        }

        var host = url.IdnHost;
        if (url.HostNameType == UriHostNameType.IPv6)
        {
            host = $"[{host}]";
        }

        if (!Wildcard)
        {
            return string.Equals(host, Host, StringComparison.OrdinalIgnoreCase);
        }

        // One label before ".domain", no more: the label holds no dot.
        var label = host.Length - Host.Length - 1;
        return label > 0
            && host.EndsWith(Host, StringComparison.OrdinalIgnoreCase)
            && host[label] == '.'
            && host.AsSpan(0, label).IndexOf('.') < 0;
    }
}
