using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using TokenProxy.Providers;

namespace TokenProxy.Vault;

/// <summary>
/// Seals token fields with AES-256-GCM. The text form is <c>{keyId}:{base64(nonce | ciphertext | tag)}</c>:
/// the key id lets keys rotate; the associated data (connection id + field name) binds a ciphertext to
/// its row and field, so one copied into another row or field fails to open.
/// </summary>
internal sealed class SecretSealer(VaultKeyRing keys)
{
    public const string AccessTokenField = "access_token";
    public const string RefreshTokenField = "refresh_token";
    public const string ApiKeyField = "api_key";

    /// <summary>A webhook's signing secret, sealed under <see cref="WebhookRow.SealingId"/>.</summary>
    public const string WebhookSecretField = "webhook_secret";

    /// <summary>RFC 7617 user-pass (<c>username:password</c>): one sealed value, since a user name holds no colon.</summary>
    public const string BasicCredentialsField = "basic_credentials";

    /// <summary>A stored provider's client secrets: one sealed JSON list, newest first.</summary>
    public const string ClientSecretsField = "client_secrets";

    /// <summary>What a stored provider's secrets are bound to in place of a connection id: its name, in a form no connection id takes.</summary>
    public static string ProviderRecord(string name) => $"provider/{name}";

    /// <summary>The field name the secret in <see cref="ConnectionRow.AccessToken"/> is sealed under, by its kind.</summary>
    public static string AccessFieldOf(CredentialKind kind) => kind switch
    {
        CredentialKind.ApiKey => ApiKeyField,
        CredentialKind.Basic => BasicCredentialsField,
        _ => AccessTokenField,
    };

    private const int NonceSize = 12; // NIST SP 800-38D: 96-bit random nonces.
    private const int TagSize = 16;

    public string Seal(string connectionId, string field, string plaintext) => Seal(keys.Active, connectionId, field, plaintext);

    public static string Seal(VaultKey key, string connectionId, string field, string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var blob = new byte[NonceSize + plain.Length + TagSize];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(key.Material, TagSize))
        {
            aes.Encrypt(nonce, plain, blob.AsSpan(NonceSize, plain.Length), blob.AsSpan(NonceSize + plain.Length), AssociatedData(connectionId, field));
        }

        CryptographicOperations.ZeroMemory(plain);
        return string.Concat(key.Id, ":", Convert.ToBase64String(blob));
    }

    /// <summary>Opens a sealed field; false when the key is unknown or the ciphertext was altered, truncated or moved.</summary>
    public bool TryOpen(string connectionId, string field, string @sealed, [NotNullWhen(true)] out string? plaintext)
    {
        plaintext = null;
        var colon = @sealed.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || keys.Find(@sealed[..colon]) is not { } key)
        {
            return false;
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(@sealed[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (blob.Length < NonceSize + TagSize)
        {
            return false;
        }

        var cipherLength = blob.Length - NonceSize - TagSize;
        var plain = ArrayPool<byte>.Shared.Rent(Math.Max(cipherLength, 1));
        try
        {
            using var aes = new AesGcm(key.Material, TagSize);
            aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize, cipherLength), blob.AsSpan(NonceSize + cipherLength), plain.AsSpan(0, cipherLength), AssociatedData(connectionId, field));
            plaintext = Encoding.UTF8.GetString(plain, 0, cipherLength);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain.AsSpan(0, cipherLength));
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>
    /// Whether a value this instance cannot open names a key it was not given (another instance on the store was given
    /// other keys), rather than being altered, truncated or moved (sealed with a key it holds, and not opening).
    /// </summary>
    public bool LacksKeyOf(string @sealed) => KeyIdOf(@sealed) is { } id && keys.Find(id) is null;

    /// <summary>
    /// Whether <paramref name="value"/> has the sealed form (a key id, then base64 of at least a nonce and a tag): what an
    /// imported row must hold, since anything else would be stored as it is, plaintext included, and open with no key.
    /// </summary>
    public static bool IsSealedForm(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && System.Buffers.Text.Base64.IsValid(value.AsSpan(colon + 1), out var length) && length >= NonceSize + TagSize;
    }

    /// <summary>The key id a sealed value names, or null when it is not in the sealed format.</summary>
    public static string? KeyIdOf(string @sealed)
    {
        var colon = @sealed.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? @sealed[..colon] : null;
    }

    private static byte[] AssociatedData(string connectionId, string field) =>
        Encoding.UTF8.GetBytes($"tokenproxy/v1\0{connectionId}\0{field}");
}
