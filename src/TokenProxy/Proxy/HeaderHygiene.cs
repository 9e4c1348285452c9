using System.Net.Http.Headers;
using Microsoft.Extensions.Primitives;

namespace TokenProxy.Proxy;

/// <summary>
/// Removes from an outgoing request everything the app must not pass to the provider: its own
/// credentials (the proxy's token replaces them; MCP "token passthrough"), our control headers, forwarding
/// headers nobody configured us to trust (RFC 9700 §4.13), and fields the app named in
/// <c>Connection</c>, which are hop-by-hop by definition (RFC 9110 §7.6.1); and from the API's response, any
/// <c>TokenProxy-*</c> field, which only the proxy may set, a cookie of the proxy's own, the fields it named in
/// <c>Connection</c>, and a 204's Content-Length.
/// </summary>
internal static class HeaderHygiene
{
    private static readonly string[] Removed =
    [
        "Authorization", "Proxy-Authorization", "Cookie", "Cookie2", "Forwarded", "Via",
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade",
    ];

    private static readonly HashSet<string> RemovedNames = new(Removed, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Forwarding fields outside the <c>X-Forwarded-</c> family that servers and frameworks read as the client's address or
    /// the original URL; like those, nobody configured the proxy to vouch for them.
    /// </summary>
    private static readonly HashSet<string> OtherForwardingFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "X-Real-IP", "X-Client-IP", "X-Cluster-Client-IP", "True-Client-IP", "X-Original-URL", "X-Rewrite-URL", "X-Original-Host",
    };

    /// <summary>The fields .NET keeps on the body (HttpContent) rather than on the request.</summary>
    private static readonly HashSet<string> ContentFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5",
        "Content-Range", "Content-Type", "Expires", "Last-Modified",
    };

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
                RemoveNamed(proxyRequest, name);
            }
        }

        List<string>? prefixed = null;
        // NonValidated: only the names are read. Enumerating the validated view would parse every value on every
        // request (~500 B allocated for three headers) and re-serialize them normalized ("a,b" → "a, b"); this way
        // the app's headers reach the API as they were sent, as with plain YARP.
        foreach (var header in headers.NonValidated)
        {
            // CGI and servers built on it read "X_Forwarded_For" as X-Forwarded-For (both become HTTP_X_FORWARDED_FOR): a
            // name with underscores is judged as the name it would be read as.
            var read = header.Key.Contains('_', StringComparison.Ordinal) ? header.Key.Replace('_', '-') : header.Key;
            if (read.StartsWith("TokenProxy-", StringComparison.OrdinalIgnoreCase)
                || read.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
                || OtherForwardingFields.Contains(read)
                || (!ReferenceEquals(read, header.Key) && (RemovedNames.Contains(read) || read.Equals(injectedHeader, StringComparison.OrdinalIgnoreCase))))
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

    /// <summary>
    /// Removes the <c>TokenProxy-*</c> fields from an API's response before it is copied to the app: an app reads
    /// <c>TokenProxy-Error</c> to tell the proxy's answers from the API's, and <c>TokenProxy-Reconnect-Url</c> as where a
    /// person reconnects, so an API (a tenant-chosen host among them) must not be able to set them.
    /// </summary>
    public static void CleanResponse(HttpResponseMessage proxyResponse)
    {
        List<string>? forged = null;
        var ownCookie = false;
        foreach (var header in proxyResponse.Headers.NonValidated)
        {
            if (header.Key.Replace('_', '-').StartsWith("TokenProxy-", StringComparison.OrdinalIgnoreCase))
            {
                (forged ??= []).Add(header.Key);
            }
            else if (header.Key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
            {
                ownCookie |= SetsOwnCookie(header.Value);
            }
        }

        if (forged is not null)
        {
            foreach (var name in forged)
            {
                proxyResponse.Headers.Remove(name);
            }
        }

        if (ownCookie)
        {
            KeepForeignCookies(proxyResponse);
        }

        // RFC 9110 §7.6.1: fields the API named in Connection are for the hop to the proxy only, as the app's are.
        // Read unparsed, and the usual "keep-alive" or "close" alone costs nothing. A 101's "Connection: Upgrade" is the
        // switch itself, which YARP carries through; any other field it names stays on the API's hop, as on other answers.
        var switching = proxyResponse.StatusCode == System.Net.HttpStatusCode.SwitchingProtocols;
        if (proxyResponse.Headers.NonValidated.TryGetValues("Connection", out var connection))
        {
            foreach (var value in connection)
            {
                if (value.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) || value.Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                foreach (var name in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (IsToken(name) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                        && !(switching && name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)))
                    {
                        // .NET keeps Content-* fields on the body, and refuses them on the response (and the reverse).
                        _ = ContentFields.Contains(name) ? proxyResponse.Content.Headers.Remove(name) : proxyResponse.Headers.Remove(name);
                    }
                }
            }
        }

        // RFC 9110 §8.6: a 204 has no Content-Length; one an API sends anyway would have the app's answer cut short (a 500).
        if (proxyResponse.StatusCode == System.Net.HttpStatusCode.NoContent)
        {
            proxyResponse.Content.Headers.ContentLength = null;
        }
    }

    /// <summary>
    /// A cookie of the proxy's own (<c>tokenproxy_admin</c>, <c>tokenproxy_portal</c>): the API shares the proxy's origin
    /// with the admin pages and the portal, so it could otherwise set or clear their sessions in the app's browser.
    /// </summary>
    private static bool SetsOwnCookie(HeaderStringValues values)
    {
        foreach (var value in values)
        {
            if (IsOwnCookie(value))
            {
                return true;
            }
        }

        return false;
    }

    // Past a leading "=" too: a cookie with no name ("=tokenproxy_admin=…") goes back as its value alone, which reads as
    // the proxy's own cookie.
    private static bool IsOwnCookie(string setCookie) =>
        setCookie.AsSpan().TrimStart().TrimStart('=').TrimStart().StartsWith("tokenproxy", StringComparison.OrdinalIgnoreCase);

    private static void KeepForeignCookies(HttpResponseMessage proxyResponse)
    {
        var kept = proxyResponse.Headers.NonValidated["Set-Cookie"].Where(v => !IsOwnCookie(v)).ToList();
        proxyResponse.Headers.Remove("Set-Cookie");
        foreach (var value in kept)
        {
            proxyResponse.Headers.TryAddWithoutValidation("Set-Cookie", value);
        }
    }

    /// <summary>
    /// Removes one field the app named in <c>Connection</c>. A name that is no field name (RFC 9110 §5.1: a token) names
    /// nothing the app sent; Content-Length frames the body the proxy sends, so it is never the app's to drop.
    /// </summary>
    private static void RemoveNamed(HttpRequestMessage proxyRequest, string name)
    {
        if (!IsToken(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (ContentFields.Contains(name))
        {
            proxyRequest.Content?.Headers.Remove(name);
        }
        else
        {
            proxyRequest.Headers.Remove(name);
        }
    }

    /// <summary>RFC 9110 §5.6.2: <c>token = 1*tchar</c>.</summary>
    private static bool IsToken(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
            {
                return false;
            }
        }

        return name.Length > 0;
    }
}
