using System.Text;

namespace TokenProxy.Providers;

/// <summary>
/// Where a provider's API keys go upstream: a header (<see cref="Header"/>) or a query parameter (<see cref="Query"/>),
/// with the value written as <c>{Prefix}{key}{Suffix}</c>, or for <see cref="Basic"/> that text as Basic credentials.
/// </summary>
internal sealed record ApiKeyPlacement(string? Header, string? Query, string Prefix, string Suffix, bool Basic = false)
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

    // RFC 7617 §2: base64 of user-pass in UTF-8.
    public string Format(string key) => Basic
        ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Concat(Prefix, key, Suffix)))
        : string.Concat(Prefix, key, Suffix);

    /// <summary>The placement <paramref name="o"/> describes; null with every problem added to <paramref name="errors"/>.</summary>
    public static ApiKeyPlacement? Parse(ApiKeyOptions? o, string key, List<string> errors)
    {
        var before = errors.Count;
        if (o?.Basic is { } basic)
        {
            return ParseBasic(o, basic, key, errors);
        }

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
        var at = Template(format, $"{key}:Format", errors);
        return errors.Count > before ? null : new ApiKeyPlacement(header, query, format[..at], format[(at + Placeholder.Length)..]);
    }

    /// <summary>The key as a Basic user name or password: <c>Authorization</c> is its header, the template its only format.</summary>
    private static ApiKeyPlacement? ParseBasic(ApiKeyOptions o, string basic, string key, List<string> errors)
    {
        var before = errors.Count;
        if (!string.IsNullOrEmpty(o.Header) || !string.IsNullOrEmpty(o.Query) || o.Format is not null)
        {
            errors.Add($"{key}: Basic sends the key in Authorization; set no Header, Query or Format with it.");
        }

        var at = Template(basic, $"{key}:Basic", errors);
        // RFC 7617 §2: the user-id ends at the first colon, so the template must have one outside the key.
        if (at >= 0 && !basic.Remove(at, Placeholder.Length).Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"{key}:Basic: '{basic}' must be user:password with {Placeholder} in one of them ('{Placeholder}:X').");
        }

        return errors.Count > before ? null : new ApiKeyPlacement("Authorization", null, basic[..at], basic[(at + Placeholder.Length)..], Basic: true);
    }

    /// <summary>Where <see cref="Placeholder"/> is in <paramref name="template"/>; -1 with a problem unless there exactly once and no control character.</summary>
    private static int Template(string template, string key, List<string> errors)
    {
        var at = template.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0 || template.IndexOf(Placeholder, at + 1, StringComparison.Ordinal) >= 0)
        {
            errors.Add($"{key}: '{template}' must contain {Placeholder} exactly once.");
            return -1;
        }

        if (template.Any(char.IsControl))
        {
            errors.Add($"{key}: must not contain control characters.");
            return -1;
        }

        return at;
    }
}
