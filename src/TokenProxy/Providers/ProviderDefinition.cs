namespace TokenProxy.Providers;

/// <summary>A provider after its preset and configuration were merged and validated.</summary>
internal sealed record ProviderDefinition
{
    public required string Name { get; init; }

    public required string DisplayName { get; init; }

    /// <summary>The provider's documentation of its OAuth flow or API authentication, when known.</summary>
    public Uri? Docs { get; init; }

    /// <summary>True when configuration names this provider (not only a shipped preset).</summary>
    public bool Configured { get; init; }

    /// <summary>Where the entry comes from: a preset alone, the configuration files, or the store.</summary>
    public ProviderSource Source { get; init; }

    /// <summary>The entry merged over its preset, as written (secrets included: never shown, never logged).</summary>
    public ProviderOptions Entry { get; init; } = new();

    /// <summary>True when <paramref name="other"/> was made from the same entry, so nothing worked out from this one changed.</summary>
    public bool SameEntry(ProviderDefinition other) =>
        ReferenceEquals(Entry, other.Entry) || (Source == other.Source && ProviderJson.Fingerprint(Entry) == ProviderJson.Fingerprint(other.Entry));

    public string? Issuer { get; init; }

    public Uri? AuthorizationUrl { get; init; }

    public Uri? TokenUrl { get; init; }

    public Uri? RevocationUrl { get; init; }

    /// <summary>A revocation endpoint that is not RFC 7009, when configured (then <see cref="RevocationUrl"/> is null).</summary>
    public RevocationEndpoint? Revocation { get; init; }

    /// <summary>
    /// The only origin and path prefix proxied requests and their tokens may go to; null when <c>ApiBaseUrl</c> has
    /// placeholders, and each connection's own is resolved by <see cref="ResolveApiBase"/>.
    /// </summary>
    public Uri? ApiBaseUrl { get; init; }

    /// <summary>The hosts (and ports) a URL with a placeholder in its host may resolve to.</summary>
    public IReadOnlyList<AllowedHost> AllowedHosts { get; init; } = [];

    /// <summary>The declared placeholders, by name.</summary>
    public IReadOnlyDictionary<string, ProviderParameter> Parameters { get; init; } = new Dictionary<string, ProviderParameter>();

    /// <summary>
    /// The URLs that have placeholders, by option key (<c>ApiBaseUrl</c>, <c>AuthorizationUrl</c>, <c>TokenUrl</c>,
    /// <c>RevocationUrl</c>, <c>Identity:Url</c>); the matching <see cref="Uri"/> property is null for each of them.
    /// </summary>
    public IReadOnlyDictionary<string, UrlTemplate> UrlTemplates { get; init; } = new Dictionary<string, UrlTemplate>();

    public string? ClientId { get; init; }

    /// <summary>
    /// The secret a call authenticates the client with: the newest of <see cref="ClientSecrets"/>, or the one an
    /// <c>OAuth/ClientSecretRotation</c> chose for this call.
    /// </summary>
    public string? ClientSecret { get; init; }

    /// <summary>Every configured client secret, newest first (empty for a public client).</summary>
    public IReadOnlyList<string> ClientSecrets { get; init; } = [];

    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>
    /// What a reconnect of a connection asks for: this provider's own scopes (what a plain reconnect asks), those the
    /// connection was granted, and those its API said it needs. The granted ones alone would lose a scope servers never
    /// report as granted: OpenID Connect's <c>offline_access</c>, without which some issue no refresh token.
    /// </summary>
    public IReadOnlyList<string> ReconnectScopes(IEnumerable<string> granted, IEnumerable<string> required) =>
        [.. Scopes.Concat(granted).Concat(required).Distinct(StringComparer.Ordinal)];

    public string ScopeSeparator { get; init; } = " ";

    public bool UsePkce { get; init; } = true;

    public TokenEndpointAuth TokenEndpointAuth { get; init; }

    /// <summary>True when the token request's parameters go in the token endpoint's query string, not in a form body.</summary>
    public bool TokenRequestInQuery { get; init; }

    public IReadOnlyDictionary<string, string> AuthorizationParameters { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> TokenParameters { get; init; } = new Dictionary<string, string>();

    public required TokenHeaderFormat TokenHeader { get; init; }

    public string? TokenResponsePath { get; init; }

    public IReadOnlyList<string> TokenResponseFields { get; init; } = [];

    public IdentityEndpoint? Identity { get; init; }

    public TimeSpan? RefreshSkew { get; init; }

    /// <summary>The default of <see cref="UpstreamTimeout"/>: YARP's, and HttpClient's.</summary>
    public static readonly TimeSpan DefaultUpstreamTimeout = TimeSpan.FromSeconds(100);

    /// <summary>How long a proxied request waits for the API with nothing arriving (<see cref="ProviderOptions.UpstreamTimeout"/>).</summary>
    public TimeSpan UpstreamTimeout { get; init; } = DefaultUpstreamTimeout;

    /// <summary>The kinds of credential its connections may hold (its <c>Auth</c>), in the order configured.</summary>
    public IReadOnlyList<CredentialKind> CredentialKinds { get; init; } = [CredentialKind.OAuth2];

    /// <summary>Where an API key goes; set when <see cref="CredentialKinds"/> has <see cref="CredentialKind.ApiKey"/>.</summary>
    public ApiKeyPlacement? ApiKey { get; init; }

    /// <summary>Headers added to proxied requests that do not carry one of the same name.</summary>
    public IReadOnlyList<StaticHeader> Headers { get; init; } = [];

    /// <summary>A refresh token's lifetime from the connect, when the token answer does not say.</summary>
    public TimeSpan? RefreshTokenLifetime { get; init; }

    /// <summary>A refresh token's lifetime unused, from the latest connect or refresh, when the token answer does not say.</summary>
    public TimeSpan? RefreshTokenIdleLifetime { get; init; }

    /// <summary>What to do about the provider's errors, shown on a connection in error.</summary>
    public ErrorHints ErrorHints { get; init; } = ErrorHints.None;

    /// <summary>The headers in which the API names granted and accepted scopes, when it has them (GitHub).</summary>
    public ScopeHeaders? ScopeHeaders { get; init; }

    /// <summary>The cheap authenticated read <c>Test connection</c> makes, relative to the connection's API base; null: none.</summary>
    public string? TestPath { get; init; }

    /// <summary>
    /// The <see cref="Headers"/> of a connection with these parameter values, or null with why (a parameter and its
    /// problem, never its value).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>>? ResolveHeaders(IReadOnlyDictionary<string, string> parameters, out string? problem)
    {
        problem = null;
        if (Headers.Count == 0)
        {
            return [];
        }

        var resolved = new List<KeyValuePair<string, string>>(Headers.Count);
        foreach (var header in Headers)
        {
            if (header.Resolve(parameters, out problem) is not { } value)
            {
                return null;
            }

            resolved.Add(new(header.Name, value));
        }

        return resolved;
    }

    /// <summary>True when a connection of <paramref name="kind"/> may exist (an imported bearer token counts as OAuth2).</summary>
    public bool Offers(CredentialKind kind) => CredentialKinds.Contains(kind == CredentialKind.Bearer ? CredentialKind.OAuth2 : kind);

    /// <summary>The API base of a connection with these parameter values, checked against the provider's allowed hosts and path.</summary>
    public UrlResolution ResolveApiBase(IReadOnlyDictionary<string, string> parameters) =>
        UrlTemplates.TryGetValue(ProviderCatalog.ApiBaseUrlKey, out var template) ? template.Resolve(parameters) : UrlResolution.Resolved(ApiBaseUrl!);

    /// <summary>
    /// True when a placeholder stands in the API base's path (<c>/ex/jira/{cloudId}</c>): the path before it is shared by
    /// every connection, so a request path must not climb out of the connection's own part of it.
    /// </summary>
    public bool ApiPathTemplated => ApiBaseUrl is null && UrlTemplates.TryGetValue(ProviderCatalog.ApiBaseUrlKey, out var template) && template.PathTemplated;

    /// <summary>
    /// True when people can connect accounts: a client id and the OAuth endpoints (or an issuer to discover them). A
    /// templated token endpoint counts: it is resolved per connection by <see cref="ForConnection"/>.
    /// </summary>
    public bool CanConnect => Offers(CredentialKind.OAuth2) && ClientId is not null
        && (TokenUrl is not null || Issuer is not null || UrlTemplates.ContainsKey(ProviderCatalog.TokenUrlKey));

    /// <summary>
    /// The admin page where a connection of this provider is made: the browser connect when people can connect
    /// (<see cref="CanConnect"/>), else the providers page's form for a kind it takes: an imported token for OAuth2 (a
    /// provider given only an API base, or a preset whose client id is not set: GitHub takes personal access tokens), an
    /// API key or Basic credentials before a client-credentials connection.
    /// </summary>
    public string ConnectPath => CanConnect
        ? $"/admin/connect/{Uri.EscapeDataString(Name)}"
        : ImportPath(Name, CredentialKinds.Select(k => k == CredentialKind.OAuth2 ? CredentialKind.Bearer : k).OrderBy(k => k == CredentialKind.ClientCredentials).First());

    /// <summary>The providers page's form that makes a connection of <paramref name="kind"/> without a browser connect.</summary>
    public static string ImportPath(string provider, CredentialKind kind) => $"/admin/providers/{Uri.EscapeDataString(provider)}/import?kind={kind.ToWire()}";

    /// <summary>True when the proxy can obtain tokens for itself (RFC 6749 §4.4): the kind offered, a client id and a token endpoint.</summary>
    public bool CanRequestClientCredentials => Offers(CredentialKind.ClientCredentials) && ClientId is not null
        && (TokenUrl is not null || Issuer is not null || UrlTemplates.ContainsKey(ProviderCatalog.TokenUrlKey));

    /// <summary>True when a connection of <paramref name="kind"/> can get a new access token here: by refresh token or by the grant.</summary>
    public bool CanRenew(CredentialKind kind) => kind == CredentialKind.ClientCredentials ? CanRequestClientCredentials : CanConnect;

    /// <summary>
    /// This provider with its templated OAuth endpoints (<c>AuthorizationUrl</c>, <c>TokenUrl</c>, <c>RevocationUrl</c>,
    /// <c>Identity:Url</c>) filled from a connection's <paramref name="parameters"/>, each checked like the API base
    /// (allowed hosts, https, no userinfo, path prefix) before anything is sent to it; or null with the refusal in
    /// <paramref name="refused"/>. An endpoint whose placeholder comes from the token response or a discovery call and has
    /// no value yet (before the code exchange) stays unresolved; a missing given value is a refusal.
    /// </summary>
    public ProviderDefinition? ForConnection(IReadOnlyDictionary<string, string> parameters, out UrlResolution refused)
    {
        refused = default;
        if (!UrlTemplates.Keys.Any(k => k != ProviderCatalog.ApiBaseUrlKey))
        {
            return this;
        }

        var resolved = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var (key, template) in UrlTemplates)
        {
            if (key == ProviderCatalog.ApiBaseUrlKey
                || template.Placeholders.Any(name => Parameters[name].Kind != ParameterKind.Given && !parameters.ContainsKey(name)))
            {
                continue;
            }

            var resolution = template.Resolve(parameters);
            if (!resolution.Succeeded)
            {
                refused = resolution;
                return null;
            }

            resolved[key] = resolution.Url!;
        }

        return this with
        {
            AuthorizationUrl = resolved.GetValueOrDefault(ProviderCatalog.AuthorizationUrlKey) ?? AuthorizationUrl,
            TokenUrl = resolved.GetValueOrDefault(ProviderCatalog.TokenUrlKey) ?? TokenUrl,
            RevocationUrl = resolved.GetValueOrDefault(ProviderCatalog.RevocationUrlKey) ?? RevocationUrl,
            Identity = Identity is not null && resolved.GetValueOrDefault(ProviderCatalog.IdentityUrlKey) is { } identity ? Identity with { Url = identity } : Identity,
            UrlTemplates = UrlTemplates.Where(t => !resolved.ContainsKey(t.Key)).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>The placeholders a person gives (a Zendesk subdomain), in the order declared: asked for at connect.</summary>
    public IEnumerable<ProviderParameter> GivenParameters => Parameters.Values.Where(p => p.Kind == ParameterKind.Given);
}
