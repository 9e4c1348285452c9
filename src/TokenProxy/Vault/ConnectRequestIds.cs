using System.Security.Cryptography;

namespace TokenProxy.Vault;

/// <summary>Connect request ids: <c>creq_</c> + 80 random bits, like connection ids. Public (the operator lists and cancels by id); never the link's token.</summary>
internal static class ConnectRequestIds
{
    public const string Prefix = "creq_";

    public static string New() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
}
