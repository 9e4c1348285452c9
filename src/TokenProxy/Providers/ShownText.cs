namespace TokenProxy.Providers;

/// <summary>What text chosen by one person and shown to another (a provider's name, a connect request's message) may hold.</summary>
internal static class ShownText
{
    /// <summary>
    /// No control character (a line break would cut a log line or a page's line in two) and none of the embeddings,
    /// overrides and isolates of Unicode's bidirectional algorithm (UAX #9 §2: U+202A–U+202E, U+2066–U+2069): format
    /// characters, not controls to <see cref="char.IsControl(char)"/>, yet they reorder how the rest of the page around
    /// the text reads (CVE-2021-42574, "Trojan Source").
    /// </summary>
    public static bool IsPlain(string text) => !text.Any(c => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069');
}
