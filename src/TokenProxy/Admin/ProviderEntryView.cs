using System.Text.Json;
using TokenProxy.Providers;

namespace TokenProxy.Admin;

/// <summary>
/// One provider as <c>GET /admin/api/providers/{name}</c> shows it: its entry as in configuration (merged over its preset,
/// without the client secret), where it comes from (<c>preset</c>, <c>file</c> or <c>stored</c>), whether a client secret
/// is set (never the secret), and the redirect URI to register at the provider (none without OAuth).
/// </summary>
internal sealed record ProviderEntryView(string Name, string Source, JsonElement Definition, bool ClientSecretSet, string? RedirectUri)
{
    public static ProviderEntryView From(ProviderDefinition provider, string? redirectUri) => new(
        provider.Name,
        provider.Source.ToString().ToLowerInvariant(),
        JsonSerializer.Deserialize<JsonElement>(ProviderJson.WithoutSecrets(provider.Entry)),
        ProviderJson.SecretsOf(provider.Entry).Count > 0,
        redirectUri);
}
