using System.Text;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>
/// What a provider says about a failure (RFC 6749 §5.2 <c>error</c>, <c>error_description</c>) or an account, made fit to
/// store, log, show and put in an event: what <see cref="ShownText.IsUnsafe"/> names (controls, line breaks, text-direction
/// and invisible characters) becomes one space, and the text is cut at a bound. A megabyte of description must not bloat a
/// row, a log line, a page or the event log, nor forge a second log line.
/// </summary>
internal static class ProviderText
{
    /// <summary>The longest <c>error</c> code kept; RFC 6749 codes are short words.</summary>
    public const int MaxCodeLength = 128;

    /// <summary>The longest <c>error_description</c> (or message) kept, ellipsis included.</summary>
    public const int MaxDescriptionLength = 512;

    /// <summary>The longest account email or name kept: RFC 5321 allows no address over 254 characters.</summary>
    public const int MaxAccountTextLength = 256;

    public static string? Code(string? text) => Bound(text, MaxCodeLength);

    public static string? Description(string? text) => Bound(text, MaxDescriptionLength);

    /// <summary>
    /// An account's email or name as the provider reports it, fit to show: the person chose it at the provider, and the
    /// portal shows it to a client checking which account is connected (an override would show "evil@…" reversed).
    /// </summary>
    public static string? Account(string? text) => Bound(text, MaxAccountTextLength) is { Length: > 0 } shown ? shown : null;

    /// <summary><paramref name="text"/> on one line, without controls, at most <paramref name="max"/> characters; null stays null.</summary>
    public static string? Bound(string? text, int max)
    {
        if (text is null)
        {
            return null;
        }

        var clean = new StringBuilder(Math.Min(text.Length, max + 1));
        var space = false;
        Span<char> units = stackalloc char[2];
        foreach (var rune in text.EnumerateRunes())
        {
            // Controls, line and paragraph separators and bidi overrides would break a log line or reorder what a page
            // shows. A control or a line break stood between words (a space now); a format character joined them (gone).
            if (ShownText.IsUnsafe(rune))
            {
                space |= clean.Length > 0 && (Rune.IsControl(rune) || Rune.IsWhiteSpace(rune));
                continue;
            }

            if (space)
            {
                clean.Append(' ');
                space = false;
            }

            clean.Append(units[..rune.EncodeToUtf16(units)]);
            if (clean.Length > max)
            {
                break;
            }
        }

        if (clean.Length > max)
        {
            clean.Length = max - 1;
            if (char.IsHighSurrogate(clean[^1]))
            {
                clean.Length--;
            }

            clean.Append('…');
        }

        return clean.ToString();
    }
}
