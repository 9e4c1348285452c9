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
                var rawName = pair.Split('=', 2)[0];
                // Compared decoded and ignoring case: "API_KEY" or "api%5Fkey" name the same parameter to many APIs.
                if (pair.Length > 0 && !string.Equals(Uri.UnescapeDataString(rawName.Replace('+', ' ')), name, StringComparison.OrdinalIgnoreCase))
                {
                    kept.Add(pair);
                }
            }
        }

        kept.Add(string.Concat(name, "=", encodedValue));
        return new QueryString("?" + string.Join('&', kept));
    }
}
