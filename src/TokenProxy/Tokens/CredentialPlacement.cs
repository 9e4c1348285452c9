using System.Text;
using TokenProxy.Providers;

namespace TokenProxy.Tokens;

/// <summary>
/// Where a connection's secret goes in the upstream request and the value written there, by its kind: a token in the
/// provider's token header, an API key in its header or query parameter, Basic credentials in <c>Authorization</c>.
/// Worked out once per row version, so a request only copies the ready value.
/// </summary>
internal sealed record CredentialPlacement(CredentialKind Kind, string? Header, string? Query, ProviderDefinition Provider)
{
    /// <summary>How <paramref name="provider"/> sends a secret of <paramref name="kind"/>; null when it no longer offers that kind.</summary>
    public static CredentialPlacement? Of(ProviderDefinition provider, CredentialKind kind) => kind switch
    {
        _ when !provider.Offers(kind) => null,
        CredentialKind.ApiKey => new(kind, provider.ApiKey!.Header, provider.ApiKey.Query, provider),
        CredentialKind.Basic => new(kind, "Authorization", null, provider),
        _ => new(kind, provider.TokenHeader.Name, null, provider),
    };

    /// <summary>The header value, or for a query parameter its value percent-encoded (RFC 3986 §2.1).</summary>
    public string Value(string secret) => Kind switch
    {
        CredentialKind.ApiKey when Query is not null => Uri.EscapeDataString(Provider.ApiKey!.Format(secret)),
        CredentialKind.ApiKey => Provider.ApiKey!.Format(secret),
        // RFC 7617 §2: base64 of user-pass in UTF-8.
        CredentialKind.Basic => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)),
        _ => Provider.TokenHeader.Format(secret),
    };
}
