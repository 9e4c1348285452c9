using System.Globalization;
using System.Text;

namespace TokenProxy.Providers;

/// <summary>What text chosen by one person and shown to another (a provider's name, a connect request's message) may hold.</summary>
internal static class ShownText
{
    /// <summary>No character that <see cref="IsUnsafe"/> names.</summary>
    public static bool IsPlain(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsUnsafe(rune))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Nothing a reader would see: only white space and invisible format characters (a zero-width space).</summary>
    public static bool IsBlank(string text) =>
        text.All(c => char.IsWhiteSpace(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format);

    /// <summary>
    /// A control character, or a line or paragraph separator (U+2028, U+2029): either cuts a log line or a page's line in
    /// two. Or a format character (Unicode category Cf), which shows nothing yet acts on the text around it: the
    /// bidirectional controls (UAX #9 §2: the marks U+061C, U+200E, U+200F, the embeddings and overrides U+202A–U+202E,
    /// the isolates U+2066–U+2069) reorder how the line reads (CVE-2021-42574, "Trojan Source"); the zero-width space,
    /// the soft hyphen, the word joiner, the byte order mark and the tag characters hide inside a name, so that one
    /// workspace's name on a link page reads the same as another's. So do the characters that are letters or marks yet
    /// draw nothing (the combining grapheme joiner U+034F, the Hangul fillers). The zero-width joiner and non-joiner stay:
    /// emoji sequences and several scripts need them.
    /// </summary>
    public static bool IsUnsafe(Rune rune) => rune.Value switch
    {
        0x200C or 0x200D => false,
        0x2028 or 0x2029 or 0x034F or 0x115F or 0x1160 or 0x3164 or 0xFFA0 => true,
        _ => Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format,
    };
}
