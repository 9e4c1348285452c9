namespace TokenProxy.Providers;

/// <summary>The hint for a misspelt name: a configuration key, a provider's or preset's name.</summary>
internal static class Spelling
{
    /// <summary>
    /// " (did you mean X?)" when one setting is close to the misspelt <paramref name="key"/>, else nothing: a setting named
    /// as OpenID Connect discovery names it (<c>TokenEndpoint</c> for <c>TokenUrl</c>), or one a typo or two away (letters
    /// left out, doubled, swapped or wrong; case aside), the nearest one first.
    /// </summary>
    public static string DidYouMean(string key, IEnumerable<string> settings)
    {
        var names = settings.ToList();
        if (key.EndsWith("Endpoint", StringComparison.OrdinalIgnoreCase)
            && names.FirstOrDefault(n => n.Equals(key[..^"Endpoint".Length] + "Url", StringComparison.OrdinalIgnoreCase)) is { } url)
        {
            return $" (did you mean {url}?)";
        }

        // A short key has few letters to spare: one typo for up to 5 letters, two for up to 11, three beyond.
        var allowed = key.Length <= 5 ? 1 : key.Length <= 11 ? 2 : 3;
        var nearest = names.Select(n => (Name: n, Distance: TypoDistance(key, n)))
            .Where(n => n.Distance <= allowed)
            .OrderBy(n => n.Distance)
            .FirstOrDefault();
        return nearest.Name is null ? "" : $" (did you mean {nearest.Name}?)";
    }

    /// <summary>Edits (a letter inserted, removed, changed, or two neighbours swapped) from one name to the other, case aside.</summary>
    private static int TypoDistance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
