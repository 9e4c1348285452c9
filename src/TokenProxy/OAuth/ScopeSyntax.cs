using System.Buffers;

namespace TokenProxy.OAuth;

/// <summary>
/// Checks scopes an admin sends (import, connect) before they are stored or sent to a provider. RFC 6749 §3.3:
/// <c>scope-token = 1*NQCHAR</c>, <c>NQCHAR = %x21 / %x23-5B / %x5D-7E</c> — visible ASCII except <c>"</c> and <c>\</c>.
/// The bounds are far above any real provider's scope list, and keep one request from storing megabytes.
/// </summary>
internal static class ScopeSyntax
{
    /// <summary>At most this many scopes per connection.</summary>
    public const int MaxCount = 100;

    /// <summary>At most this many characters per scope (URL-shaped scopes such as Google's are under 100).</summary>
    public const int MaxLength = 256;

    private static readonly SearchValues<char> NqChar = SearchValues.Create(
        [.. Enumerable.Range(0x21, 0x7E - 0x21 + 1).Select(c => (char)c).Where(c => c is not ('"' or '\\'))]);

    /// <summary>What is wrong with the scopes, said without repeating them; null when they are valid.</summary>
    public static string? Problem(IReadOnlyCollection<string?> scopes)
    {
        if (scopes.Count > MaxCount)
        {
            return $"At most {MaxCount} scopes are accepted; {scopes.Count} were sent.";
        }

        var index = 0;
        foreach (var scope in scopes)
        {
            if (string.IsNullOrEmpty(scope))
            {
                return $"Scope #{index + 1} is empty or null.";
            }

            if (scope.Length > MaxLength)
            {
                return $"Scope #{index + 1} is {scope.Length} characters long; a scope is at most {MaxLength}.";
            }

            if (scope.AsSpan().ContainsAnyExcept(NqChar))
            {
                return $"Scope #{index + 1} has a character a scope cannot have: only visible ASCII without spaces, '\"' or '\\' (RFC 6749 §3.3).";
            }

            index++;
        }

        return null;
    }
}
