using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TokenProxy.Webhooks;

/// <summary>
/// <c>TokenProxy-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c>, the key the secret's UTF-8 bytes and the
/// message <c>"{t}.{body}"</c> (RFC 2104): the time inside the signed message lets a receiver refuse a replayed delivery.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "TokenProxy-Signature";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var message = new byte[t.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(t, message);
        message[t.Length] = (byte)'.';
        body.CopyTo(message.AsSpan(t.Length + 1));
        var key = Encoding.UTF8.GetBytes(secret);
        try
        {
            return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(key, message))}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
