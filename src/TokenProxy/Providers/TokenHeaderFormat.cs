namespace TokenProxy.Providers;

/// <summary>
/// How a token is written into the upstream request: <c>Authorization: Bearer {token}</c> by default,
/// <c>PRIVATE-TOKEN: {token}</c> or <c>Authorization: token {token}</c> for some APIs.
/// </summary>
internal sealed class TokenHeaderFormat
{
    public const string Default = "Authorization: Bearer {token}";
    private const string Placeholder = "{token}";

    private TokenHeaderFormat(string name, string prefix, string suffix)
    {
        Name = name;
        Prefix = prefix;
        Suffix = suffix;
    }

    public string Name { get; }

    public string Prefix { get; }

    public string Suffix { get; }

    public string Format(string token) => string.Concat(Prefix, token, Suffix);

    /// <summary>Parses <c>Name: value-with-{token}</c>; returns null with a reason when it is malformed.</summary>
    public static TokenHeaderFormat? TryParse(string text, out string? problem)
    {
        problem = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            problem = "must look like 'Header-Name: value with {token}'";
            return null;
        }

        var name = text[..colon].Trim();
        var value = text[(colon + 1)..].TrimStart();
        // RFC 9110 §5.1: a field name is a token; no spaces, separators or control characters.
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            problem = $"header name '{name}' is not a valid HTTP field name";
            return null;
        }

        var at = value.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0 || value.IndexOf(Placeholder, at + 1, StringComparison.Ordinal) >= 0)
        {
            problem = "the value must contain {token} exactly once";
            return null;
        }

        if (value.Any(char.IsControl))
        {
            problem = "the value must not contain control characters";
            return null;
        }

        return new TokenHeaderFormat(name, value[..at], value[(at + Placeholder.Length)..]);
    }

    /// <summary>RFC 9110 §5.6.2: <c>tchar</c>, a character of a field name.</summary>
    public static bool IsTokenChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
        || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
