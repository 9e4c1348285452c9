using System.Security.Cryptography;
using System.Text;

namespace TokenProxy.Vault;

/// <summary>A 256-bit AES-GCM key and its id: a fingerprint, so a ciphertext names the key that sealed it.</summary>
internal sealed class VaultKey
{
    public const int Size = 32;

    public VaultKey(byte[] material)
    {
        if (material.Length != Size)
        {
            throw new ArgumentException($"A vault key is {Size} bytes; this one is {material.Length}.", nameof(material));
        }

        Material = material;
        // A one-way fingerprint: it tells keys apart without revealing anything usable about the key.
        var hash = SHA256.HashData([.. Encoding.ASCII.GetBytes("tokenproxy-vault-key-id:"), .. material]);
        Id = Convert.ToHexStringLower(hash.AsSpan(0, 4));
    }

    public string Id { get; }

    public byte[] Material { get; }

    public static VaultKey Generate() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>Parses a base64 key; null with a reason when it is not 32 bytes of base64.</summary>
    public static VaultKey? TryParse(string text, out string? problem)
    {
        problem = null;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            problem = "is not base64";
            return null;
        }

        if (bytes.Length != Size)
        {
            problem = $"decodes to {bytes.Length} bytes, not {Size}";
            return null;
        }

        return new VaultKey(bytes);
    }

    public string ToBase64() => Convert.ToBase64String(Material);
}
