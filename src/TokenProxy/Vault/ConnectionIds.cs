using System.Security.Cryptography;

namespace TokenProxy.Vault;

/// <summary>Connection ids: <c>conn_</c> + 80 random bits, unguessable and safe in URLs and headers.</summary>
internal static class ConnectionIds
{
    public const string Prefix = "conn_";

    public static string New() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
}
