namespace TokenProxy.OAuth;

/// <summary>
/// Checks a token before it is stored: it will be written into an HTTP header, so a CR, LF, NUL or any
/// other control or non-ASCII character could split the header or leak the token in an exception
/// (slack-sdk #566). Such a token is rejected at ingestion, never "cleaned".
/// </summary>
internal static class TokenValue
{
    public const int MaxLength = 16 * 1024;

    /// <summary>The limit as a message says it.</summary>
    public static readonly string Limit = $"at most {MaxLength.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} characters";

    /// <summary>" (this one has 20,000)" for a value over <see cref="MaxLength"/>, else nothing: the length, never the value.</summary>
    public static string LengthIfOver(string? value) =>
        value is { Length: > MaxLength } ? $" (this one has {value.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)})" : string.Empty;

    public static bool IsValid(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in token)
        {
            // Visible ASCII only (RFC 6750 §2.1 b64token is a subset of it).
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
