using System.Text;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// Recognisable secret values, and every form a leak could take: raw, base64, base64url, URL-encoded,
/// UTF-16. A test puts a canary in and asserts none of its forms comes out anywhere.
/// </summary>
internal static class Canary
{
    public static string New(string kind) => $"CANARY{kind}{Guid.NewGuid():N}";

    public static IEnumerable<byte[]> ByteForms(string secret)
    {
        yield return Encoding.UTF8.GetBytes(secret);
        yield return Encoding.Unicode.GetBytes(secret);
        yield return Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)));
    }

    public static IEnumerable<string> TextForms(string secret)
    {
        yield return secret;
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        yield return Uri.EscapeDataString(secret);
        // The middle of the secret, so a truncated or partly masked copy is caught as well.
        if (secret.Length >= 26)
        {
            yield return secret.Substring(6, 20);
        }
    }

    public static void AssertAbsent(string secret, string haystack, string where)
    {
        foreach (var form in TextForms(secret))
        {
            Assert.False(haystack.Contains(form, StringComparison.Ordinal), $"A form of the secret leaked into {where}.");
        }
    }

    public static void AssertAbsent(string secret, byte[] haystack, string where)
    {
        foreach (var form in ByteForms(secret))
        {
            Assert.False(haystack.AsSpan().IndexOf(form) >= 0, $"A form of the secret leaked into {where}.");
        }
    }
}
