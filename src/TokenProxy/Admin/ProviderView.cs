using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Tokens;

namespace TokenProxy.Admin;

/// <summary>
/// A provider as <c>GET /admin/api/providers</c> and the providers page show it: whether and how it can be used, what to
/// configure and register at the provider, and how its connections are made. Never the client id or secret.
/// <c>Configured</c>: people can connect accounts in the browser (a client id and the OAuth endpoints). <c>RedirectUri</c>:
/// the callback address to register at the provider, null when it offers no OAuth2. <c>Setup</c>: what to configure before
/// connecting, null when nothing is missing (credentials that are only imported need nothing). <c>Source</c>: <c>preset</c>,
/// <c>file</c> or <c>stored</c> (added through the admin API or the providers page). <c>ClientSecretNotice</c>:
/// set while the provider refuses the newest client secret and an older one is in use; <c>Misconfigured</c>: the provider
/// refused every configured client secret (docs/architecture.md §5), as this instance last saw it.
/// </summary>
internal sealed record ProviderView(
    string Name,
    string DisplayName,
    bool Configured,
    string ConnectUrl,
    string ApiBaseUrl,
    string? Docs,
    string? RedirectUri,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> CredentialKinds,
    IReadOnlyList<ParameterView> Parameters,
    string? Setup,
    string Source,
    string? ClientSecretNotice = null,
    bool Misconfigured = false)
{
    /// <summary>The redirect URI to register at the provider; none for a provider nobody connects to in a browser.</summary>
    public static string? RedirectUriOf(ProviderDefinition provider, AuthorizationFlow flow) =>
        provider.Offers(CredentialKind.OAuth2) ? flow.RedirectUri(provider) : null;

    public static ProviderView From(ProviderDefinition provider, AuthorizationFlow flow, SecretStatus secrets, string publicBaseUrl) => new(
        provider.Name,
        provider.DisplayName,
        provider.CanConnect,
        $"{publicBaseUrl.TrimEnd('/')}{provider.ConnectPath}",
        provider.ApiBaseUrl?.AbsoluteUri ?? provider.UrlTemplates[ProviderCatalog.ApiBaseUrlKey].Text,
        provider.Docs?.AbsoluteUri,
        RedirectUriOf(provider, flow),
        provider.Scopes,
        [.. provider.CredentialKinds.Select(k => k.ToWire())],
        [.. provider.Parameters.Values.Select(ParameterView.From)],
        SetupOf(provider),
        provider.Source.ToString().ToLowerInvariant(),
        secrets.Notice,
        secrets.Misconfigured);

    /// <summary>
    /// The configuration keys a provider offering OAuth2 still lacks for a browser connect, or one offering client
    /// credentials for its grant, named as they are set.
    /// </summary>
    private static string? SetupOf(ProviderDefinition provider)
    {
        if (provider.Offers(CredentialKind.ClientCredentials) && provider.ClientId is null && !provider.CanConnect)
        {
            return $"Set TokenProxy:Providers:{provider.Name}:ClientId and ClientSecret to {(provider.Offers(CredentialKind.OAuth2) ? "connect and to " : string.Empty)}create client-credentials connections.";
        }

        var key = $"TokenProxy:Providers:{provider.Name}";
        if (provider.Offers(CredentialKind.OAuth2) && provider.CanConnect && provider.ClientSecrets.Count == 0 && provider.TokenEndpointAuth != TokenEndpointAuth.None)
        {
            // The token endpoint would refuse the code exchange as invalid_client, after the person signed in.
            return $"Set {key}:ClientSecret to connect, or TokenEndpointAuth none for a public client (PKCE).";
        }

        if (!provider.Offers(CredentialKind.OAuth2) || provider.CanConnect)
        {
            return null;
        }

        if (provider.ClientId is null)
        {
            return provider.TokenEndpointAuth == TokenEndpointAuth.None
                ? $"Set {key}:ClientId to connect."
                : $"Set {key}:ClientId and ClientSecret to connect.";
        }

        return $"Set {key}:AuthorizationUrl and TokenUrl, or Issuer, to connect.";
    }
}
