using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;

namespace TokenProxy.Proxy;

/// <summary>
/// The app's query string with the connection's API key in its parameter. Any parameter of that name the app sent is
/// dropped first: the app must not choose the key the API sees, nor send a second one next to it.
/// </summary>
internal static partial class ApiKeyQuery
{
    /// <summary>The query with <paramref name="name"/> set to <paramref name="encodedValue"/> (the key already percent-encoded) and no other.</summary>
    public static QueryString With(QueryString query, string name, string encodedValue)
    {
        var kept = new List<string>();
        if (query.Value is { Length: > 1 } text)
        {
            foreach (var pair in text[1..].Split('&'))
            {
                // Some servers also split on ';' (older Go, Python before 3.9.2) and keep the first value: a parameter of
                // that name after a ';' would choose the key, so each piece is looked at; the rest keeps its separators.
                var rest = string.Join(';', pair.Split(';').Where(piece => !Names(piece, name)));
                if (rest.Length > 0)
                {
                    kept.Add(rest);
                }
            }
        }

        kept.Add(string.Concat(name, "=", encodedValue));
        return new QueryString("?" + string.Join('&', kept));
    }

    /// <summary>
    /// Takes the key out of the response headers the app receives. APIs echo the request's URL, query and all, in
    /// <c>Location</c> (a trailing-slash or canonical redirect, RFC 9110 §15.4), <c>Content-Location</c>, <c>Link</c>
    /// (RFC 8288) and headers of their own: the parameter <paramref name="name"/> is removed from such a value, and a
    /// header that still holds the key after that is removed whole. Only values holding the key are touched.
    /// </summary>
    public static void RemoveFrom(IHeaderDictionary headers, string name, string encodedValue)
    {
        var forms = Forms(encodedValue);
        List<string>? held = null;
        foreach (var (header, values) in headers)
        {
            if (Holds(values, forms))
            {
                (held ??= []).Add(header);
            }
        }

        foreach (var header in held ?? [])
        {
            var cleaned = new StringValues(headers[header].Select(value => Without(value!, name)).ToArray());
            if (Holds(cleaned, forms))
            {
                headers.Remove(header);
            }
            else
            {
                headers[header] = cleaned;
            }
        }
    }

    /// <summary>The text with every query parameter <paramref name="name"/> of the URLs in it removed (<c>?a&amp;key=K&amp;b</c> → <c>?a&amp;b</c>).</summary>
    private static string Without(string text, string name)
    {
        var kept = new StringBuilder(text.Length);
        var at = 0;
        var opensQuery = false;
        foreach (Match match in Parameter().Matches(text))
        {
            kept.Append(text, at, match.Index - at);
            var separator = match.Groups["separator"].Value;
            var pair = match.Groups["pair"].Value;
            if (Names(pair, name))
            {
                // The '?' goes with the first parameter removed, and comes back before the next one kept.
                opensQuery |= separator == "?";
            }
            else
            {
                kept.Append(opensQuery && match.Index == at ? "?" : separator).Append(pair);
                opensQuery = false;
            }

            at = match.Index + match.Length;
        }

        return kept.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>
    /// The ways an API may write the key back: as is, percent-encoded once (either case of hex digits) or twice (a
    /// <c>return_to</c> built from the request's URL, or every byte of it), and JSON-escaped (<c>\u002B</c>, <c>\"</c>, <c>\/</c>).
    /// </summary>
    private static string[] Forms(string encodedValue)
    {
        var plain = Uri.UnescapeDataString(encodedValue);
        var json = System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(plain);
        // JSON.stringify's escapes: \" and \\ (and \/ where a writer escapes the solidus).
        var stringified = plain.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        // Every byte percent-encoded, unreserved characters too (a form encoder that escapes all).
        var everyByte = string.Concat(System.Text.Encoding.UTF8.GetBytes(plain).Select(b => $"%{b:X2}"));
        return [.. new[] { plain, encodedValue, Uri.EscapeDataString(encodedValue), json, stringified, plain.Replace("/", "\\/", StringComparison.Ordinal), everyByte }
            .Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Case aside: a key lower-cased (a normalised URL) is still the key.</summary>
    private static bool Holds(StringValues values, string[] forms) =>
        values.Any(value => value is not null && forms.Any(form => value.Contains(form, StringComparison.OrdinalIgnoreCase)));

    /// <summary>One query parameter of a URL in a header value: its separator and its <c>name=value</c>.</summary>
    [GeneratedRegex(@"(?<separator>[?&;])(?<pair>[^=&;#?\s<>""',]*=[^&;#\s<>""',]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();

    /// <summary>
    /// Compared decoded, ignoring case and the blanks and NULs some servers trim: "API_KEY", "api%5Fkey" and
    /// "%20api_key" name the same parameter to many APIs.
    /// </summary>
    private static bool Names(string piece, string name) =>
        piece.Length > 0 && string.Equals(Uri.UnescapeDataString(piece.Split('=', 2)[0].Replace('+', ' ')).Trim(Blanks), name, StringComparison.OrdinalIgnoreCase);

    private static readonly char[] Blanks = [' ', '\t', '\r', '\n', '\v', '\f', '\0'];
}
