using System.Security.Cryptography;

namespace TokenProxy.Vault;

/// <summary>Connection ids: <c>conn_</c> + 80 random bits, unguessable and safe in URLs and headers.</summary>
internal static class ConnectionIds
{
    public const string Prefix = "conn_";

    public static string New() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    /// <summary>Whether <paramref name="id"/> is one <see cref="New"/> could have made: an imported row's id is checked by it.</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: 25 } && id.StartsWith(Prefix, StringComparison.Ordinal) && !id.AsSpan(Prefix.Length).ContainsAnyExcept(LowerHex);

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
}
