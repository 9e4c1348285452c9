namespace TokenProxy.Providers;

/// <summary>
/// Where a provider's API keys go upstream: a header (<see cref="Header"/>) or a query parameter (<see cref="Query"/>),
/// with the value written as <c>{Prefix}{key}{Suffix}</c>.
/// </summary>
internal sealed record ApiKeyPlacement(string? Header, string? Query, string Prefix, string Suffix)
{
    private const string Placeholder = "{key}";

    /// <summary>
    /// Fields the proxy or the HTTP stack owns (RFC 9110 §7.6.1 hop-by-hop fields, framing, routing): a key written there would
    /// be dropped, rewritten or break the request. <c>TokenProxy-*</c> and <c>X-Forwarded-*</c> are removed before forwarding.
    /// </summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Connection", "Keep-Alive",
        "Proxy-Connection", "TE", "Trailer", "Upgrade", "Proxy-Authorization", "Cookie", "Forwarded", "Via", "Expect",
    };

    public string Format(string key) => string.Concat(Prefix, key, Suffix);

    /// <summary>The placement <paramref name="o"/> describes; null with every problem added to <paramref name="errors"/>.</summary>
    public static ApiKeyPlacement? Parse(ApiKeyOptions? o, string key, List<string> errors)
    {
        var before = errors.Count;
        var header = string.IsNullOrEmpty(o?.Header) ? null : o.Header;
        var query = string.IsNullOrEmpty(o?.Query) ? null : o.Query;
        if (header is null == query is null)
        {
            errors.Add($"{key}: set exactly one of Header or Query (where the API key goes).");
        }

        // RFC 9110 §5.1: a field name is a token.
        if (header is not null && !header.All(TokenHeaderFormat.IsTokenChar))
        {
            errors.Add($"{key}:Header: '{header}' is not a valid HTTP field name.");
        }
        else if (header is not null && (ReservedHeaders.Contains(header)
            || header.StartsWith("TokenProxy-", StringComparison.OrdinalIgnoreCase) || header.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{key}:Header: '{header}' is a field the proxy or HTTP itself controls; name the API's own key header.");
        }

        // RFC 3986 §2.3: an unreserved name needs no escaping and cannot be confused with another parameter.
        if (query is not null && !query.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
        {
            errors.Add($"{key}:Query: '{query}' must be letters, digits, '-', '.', '_' or '~'.");
        }

        var format = o?.Format ?? Placeholder;
        var at = format.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0 || format.IndexOf(Placeholder, at + 1, StringComparison.Ordinal) >= 0)
        {
            errors.Add($"{key}:Format: '{format}' must contain {Placeholder} exactly once.");
        }
        else if (format.Any(char.IsControl))
        {
            errors.Add($"{key}:Format: must not contain control characters.");
        }

        return errors.Count > before ? null : new ApiKeyPlacement(header, query, format[..at], format[(at + Placeholder.Length)..]);
    }
}
