namespace TokenProxy.Providers;

/// <summary>
/// The rule every placeholder value meets whatever the provider's own pattern says, so that no value can change which
/// host, port or path a URL names. A given value is 1-255 characters of RFC 3986 §2.3 unreserved ASCII
/// (<c>A-Z a-z 0-9 - . _ ~</c>): no <c>/ \ ? # @ % :</c>, no space, control or non-ASCII character (a Unicode dot such
/// as U+3002 would become "." when the host is converted by IDNA, RFC 3490 §3.1), and not <c>.</c> or <c>..</c>, which are
/// dot segments in a path (RFC 3986 §5.2.4). A dot is allowed: in a host it adds a label, which the one-label
/// wildcards of <see cref="AllowedHost"/> refuse.
/// </summary>
internal static class ParameterValue
{
    public const int MaxLength = 255;

    /// <summary>A token-response origin (<c>instance_url</c>) is longer than a label but still bounded.</summary>
    public const int MaxOriginLength = 2048;

    /// <summary>Why <paramref name="value"/> breaks the universal rule, or null. Never quotes the value.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is empty";
        }

        if (value.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_' or '~'))
            {
                return "may hold only ASCII letters, digits, '-', '.', '_' and '~'";
            }
        }

        return value is "." or ".." ? "is a dot segment" : null;
    }

    /// <summary>
    /// Why <paramref name="value"/> is not a bare origin (<c>https://host[:port]</c>, an optional final "/"), or null. Its
    /// host is matched against the provider's <c>AllowedHosts</c> when the URL it stands in is resolved.
    /// </summary>
    public static string? OriginProblem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is empty";
        }

        if (value.Length > MaxOriginLength)
        {
            return $"is longer than {MaxOriginLength} characters";
        }

        if (value.Any(c => c is <= ' ' or >= '\u007f' or '\\' or '%' or '@' or '?' or '#'))
        {
            return "is not an origin of printable ASCII without '\\', '%', '@', '?' or '#'";
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var origin)
            || (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(origin.UserInfo)
            || origin.AbsolutePath != "/"
            || !string.IsNullOrEmpty(origin.Query)
            || !string.IsNullOrEmpty(origin.Fragment)
            || !value.StartsWith(origin.Scheme + "://", StringComparison.OrdinalIgnoreCase)
            // The text as given, not as Uri normalized it: "host/x/../.." and "host/." also have the path "/".
            || value.IndexOf('/', origin.Scheme.Length + 3) is var slash && slash >= 0 && slash != value.Length - 1)
        {
            return "is not an origin (scheme://host[:port])";
        }

        return null;
    }
}
