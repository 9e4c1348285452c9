using System.Security.Cryptography;
using System.Text;

namespace TokenProxy.Vault;

/// <summary>
/// A connect request's link token: 256 random bits, base64url (43 characters), shown once in the answer that creates the
/// request and stored only as its SHA-256 (docs/architecture.md §9). A token is looked up by its hash, which reveals
/// nothing of the tokens stored, and the hash found is compared again in constant time.
/// </summary>
internal static class ConnectRequestTokens
{
    /// <summary>The length of every token: 32 bytes in base64url without padding.</summary>
    public const int Length = 43;

    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>True when <paramref name="token"/> could be a token at all: a forged or truncated one goes no further.</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>True when the stored hash is the hash of <paramref name="token"/>, compared in constant time.</summary>
    public static bool Matches(string token, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
