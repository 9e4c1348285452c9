using System.Security.Cryptography;
using System.Text;

namespace TokenProxy.OAuth;

/// <summary>RFC 7636 Proof Key for Code Exchange, S256 only (§4.2: S256 is mandatory to implement; plain adds nothing).</summary>
internal static class Pkce
{
    public const string Method = "S256";

    /// <summary>§4.1: 32 random octets, base64url without padding: 43 characters of [A-Za-z0-9-_].</summary>
    public static string CreateVerifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>§4.2: BASE64URL(SHA256(ASCII(code_verifier))).</summary>
    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
