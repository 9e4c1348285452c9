using TokenProxy.Providers;

namespace TokenProxy.Admin;

/// <summary>
/// What <see cref="ProviderFormPage"/> shows: a new custom OAuth provider (<see cref="Name"/> null), or a stored one to
/// edit, with the values a person has from the provider's docs. Never the client secret: only whether one is stored.
/// </summary>
internal sealed record ProviderFormPageModel(
    string? Name,
    string? DisplayName,
    string? AuthorizationUrl,
    string? Issuer,
    string? TokenUrl,
    string? ApiBaseUrl,
    string? ClientId,
    string Scopes,
    bool UsePkce,
    bool ClientSecretSet,
    string PublicBaseUrl)
{
    public static ProviderFormPageModel New(string publicBaseUrl) =>
        new(null, null, null, null, null, null, null, string.Empty, true, false, publicBaseUrl);

    public static ProviderFormPageModel Of(ProviderDefinition provider, string publicBaseUrl)
    {
        var entry = provider.Entry;
        return new(provider.Name, entry.DisplayName, entry.AuthorizationUrl, entry.Issuer, entry.TokenUrl, entry.ApiBaseUrl, entry.ClientId,
            string.Join(" ", entry.Scopes ?? []), entry.UsePkce ?? true, ProviderJson.SecretsOf(entry).Count > 0, publicBaseUrl);
    }
}
