using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Benchmarks.Tokens;

/// <summary>Credentials shaped like real ones: a connection id, the provider, a label and a GitHub-sized bearer header.</summary>
internal static class CredentialFactory
{
    public static CachedCredential Create(int n) => new(
        ConnectionIds.New(),
        "github",
        $"user-{n}",
        null,
        Version: 3,
        ConnectionStatus.Active,
        "Bearer gho_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18)),
        DateTimeOffset.UtcNow.AddHours(8),
        CanRefresh: true,
        Undecryptable: false);
}
