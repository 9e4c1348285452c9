using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Proxy;

/// <summary>
/// The upstream address for the part of the request path after <c>/{provider}</c>. Kestrel decodes the path but leaves
/// an encoded slash as <c>%2F</c>, so that it stays data rather than a separator (GitLab's <c>projects/group%2Fproject</c>);
/// encoding that path again as a <see cref="PathString"/> would turn its <c>%</c> into <c>%25</c> and send
/// <c>group%252Fproject</c>. Every other character is encoded as YARP does.
/// </summary>
internal static class DestinationAddress
{
    private const string EncodedSlash = "%2F";

    public static Uri Make(string destinationPrefix, string decodedPath, QueryString query)
    {
        if (!decodedPath.Contains(EncodedSlash, StringComparison.OrdinalIgnoreCase))
        {
            return RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(decodedPath), query);
        }

        // Each piece between encoded slashes is encoded on its own; the slashes go back in as %2F (RFC 3986 §2.1: the same octet).
        var pieces = SplitOnEncodedSlashes(decodedPath);
        var encoded = string.Join(EncodedSlash, pieces.Select((piece, i) => Encode(piece, first: i == 0)));
        var prefix = destinationPrefix.EndsWith('/') && encoded.StartsWith('/') ? destinationPrefix[..^1] : destinationPrefix;
        return new Uri(prefix + encoded + query.ToUriComponent(), UriKind.Absolute);
    }

    /// <summary>Kestrel keeps the case the app sent (<c>%2f</c> or <c>%2F</c>); both are an encoded slash.</summary>
    private static List<string> SplitOnEncodedSlashes(string path)
    {
        var pieces = new List<string>();
        var start = 0;
        int at;
        while ((at = path.IndexOf(EncodedSlash, start, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            pieces.Add(path[start..at]);
            start = at + EncodedSlash.Length;
        }

        pieces.Add(path[start..]);
        return pieces;
    }

    private static string Encode(string piece, bool first)
    {
        if (piece.Length == 0)
        {
            return piece;
        }

        // PathString encodes a path, which starts with '/': lend one to the pieces after an encoded slash.
        return first ? new PathString(piece).ToUriComponent() : new PathString("/" + piece).ToUriComponent()[1..];
    }
}
