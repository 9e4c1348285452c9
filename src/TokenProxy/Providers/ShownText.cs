using System.Globalization;

namespace TokenProxy.Providers;

/// <summary>What text chosen by one person and shown to another (a provider's name, a connect request's message) may hold.</summary>
internal static class ShownText
{
    /// <summary>No character that <see cref="IsUnsafe"/> names.</summary>
    public static bool IsPlain(string text) => !text.Any(IsUnsafe);

    /// <summary>Nothing a reader would see: only white space and invisible format characters (a zero-width space).</summary>
    public static bool IsBlank(string text) =>
        text.All(c => char.IsWhiteSpace(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format);

    /// <summary>
    /// A control character, or a line or paragraph separator (U+2028, U+2029): either cuts a log line or a page's line in
    /// two. Or one of Unicode's bidirectional controls (UAX #9 §2: the marks U+061C, U+200E, U+200F, the embeddings and
    /// overrides U+202A–U+202E, the isolates U+2066–U+2069): format characters, not controls to
    /// <see cref="char.IsControl(char)"/>, yet they reorder how the rest of the line around the text reads
    /// (CVE-2021-42574, "Trojan Source"). Or a character that shows nothing and joins nothing (the soft hyphen U+00AD, the
    /// combining grapheme joiner U+034F, U+180E, the zero-width space U+200B, the word joiner and invisible operators
    /// U+2060–U+2064, the byte order mark U+FEFF): with one inside, a workspace's name on a link page reads the same as
    /// another's. The zero-width joiner and non-joiner stay: emoji sequences and several scripts need them.
    /// </summary>
    public static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069'
        || c is '\u00AD' or '\u034F' or '\u180E' or '\u200B' or >= '\u2060' and <= '\u2064' or '\uFEFF';
}
