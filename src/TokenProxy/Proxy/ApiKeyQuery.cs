namespace TokenProxy.Proxy;

/// <summary>
/// The app's query string with the connection's API key in its parameter. Any parameter of that name the app sent is
/// dropped first: the app must not choose the key the API sees, nor send a second one next to it.
/// </summary>
internal static class ApiKeyQuery
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
    /// Compared decoded, ignoring case and the blanks and NULs some servers trim: "API_KEY", "api%5Fkey" and
    /// "%20api_key" name the same parameter to many APIs.
    /// </summary>
    private static bool Names(string piece, string name) =>
        piece.Length > 0 && string.Equals(Uri.UnescapeDataString(piece.Split('=', 2)[0].Replace('+', ' ')).Trim(Blanks), name, StringComparison.OrdinalIgnoreCase);

    private static readonly char[] Blanks = [' ', '\t', '\r', '\n', '\v', '\f', '\0'];
}
