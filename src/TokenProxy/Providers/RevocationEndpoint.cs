namespace TokenProxy.Providers;

/// <summary>
/// A revocation endpoint described as data (<see cref="RevocationOptions"/>), validated. Its address is either fixed
/// (<see cref="Url"/>) or resolved per connection (<see cref="Template"/>); <c>{client_id}</c> was filled at startup, and a
/// <c>{token}</c> in the path stands as <see cref="TokenMarker"/> until <see cref="WithToken"/> puts the token there.
/// </summary>
internal sealed record RevocationEndpoint(
    Uri? Url,
    UrlTemplate? Template,
    HttpMethod Method,
    RevocationClientAuth ClientAuth,
    RevocationTokenPlacement TokenIn,
    string TokenField,
    bool RevokesRefreshToken,
    bool RevokesAccessToken)
{
    /// <summary>What <c>{token}</c> becomes while the URL is checked and resolved: unreserved characters, so it survives both.</summary>
    public const string TokenMarker = "tokenproxy-revoked-token";

    /// <summary>What stands for the token wherever the address is shown (logs, spans).</summary>
    public const string Shown = "{token}";

    /// <summary>The address for a connection with these parameter values, token not yet in it.</summary>
    public UrlResolution Resolve(IReadOnlyDictionary<string, string> parameters) =>
        Template?.Resolve(parameters) ?? UrlResolution.Resolved(Url!);

    /// <summary>
    /// <paramref name="resolved"/> with <paramref name="token"/> in its path or query, percent-encoded; null when the result
    /// would not be the configured address (the marker not exactly once in the path, as a parameter value could repeat it).
    /// </summary>
    public Uri? WithToken(Uri resolved, string token)
    {
        if (TokenIn == RevocationTokenPlacement.Query)
        {
            var separator = string.IsNullOrEmpty(resolved.Query) ? "?" : "&";
            return new Uri(string.Concat(resolved.AbsoluteUri, separator, Uri.EscapeDataString(TokenField), "=", Uri.EscapeDataString(token)));
        }

        if (TokenIn != RevocationTokenPlacement.Path)
        {
            return resolved;
        }

        var path = resolved.AbsolutePath;
        var at = path.IndexOf(TokenMarker, StringComparison.Ordinal);
        if (at < 0 || path.IndexOf(TokenMarker, at + 1, StringComparison.Ordinal) >= 0)
        {
            return null;
        }

        var filled = string.Concat(resolved.GetLeftPart(UriPartial.Authority), path[..at], Uri.EscapeDataString(token), path[(at + TokenMarker.Length)..], resolved.Query);
        return Uri.TryCreate(filled, UriKind.Absolute, out var url) && url.GetLeftPart(UriPartial.Authority) == resolved.GetLeftPart(UriPartial.Authority)
            ? url
            : null;
    }

    /// <summary><paramref name="resolved"/> as logs and spans may show it: <c>{token}</c> for the token, no query.</summary>
    public static string Show(Uri resolved) =>
        resolved.GetLeftPart(UriPartial.Path).Replace(TokenMarker, Shown, StringComparison.Ordinal);
}
