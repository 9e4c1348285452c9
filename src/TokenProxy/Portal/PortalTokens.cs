using System.Security.Cryptography;
using System.Text;

namespace TokenProxy.Portal;

/// <summary>
/// The random values of portal links and session cookies: 256 bits from the system CSPRNG, base64url. Only their
/// SHA-256 hash is stored or compared: a stored hash opens nothing, and looking a hash up reveals nothing of the value.
/// </summary>
internal static class PortalTokens
{
    /// <summary>The length of a value <see cref="New"/> makes: 32 bytes in unpadded base64url.</summary>
    public const int Length = 43;

    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The stored form of a value, or null for a value <see cref="New"/> could not have made (never looked up).</summary>
    public static string? HashOf(string? value) =>
        value is { Length: Length } && value.All(IsBase64UrlChar)
            ? Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(value)))
            : null;

    /// <summary>An id for a session row: not secret (it is never enough to use the session), so shorter.</summary>
    public static string NewSessionId() => "ps_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    private static bool IsBase64UrlChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
