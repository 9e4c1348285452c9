namespace TokenProxy.Providers;

/// <summary>
/// One provider entry as written in configuration (<c>TokenProxy:Providers:{name}</c>) or in a preset
/// file (<c>config/providers/{name}.json</c>). Every property is optional here: a configuration entry
/// overrides only the keys it sets, and <see cref="ProviderCatalog"/> merges it over its preset and
/// validates the result.
/// </summary>
internal sealed class ProviderOptions
{
    /// <summary>Name of the preset to inherit from when it differs from the entry's own name.</summary>
    public string? Preset { get; set; }

    /// <summary>Name shown on the admin pages. Default: the provider name.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The provider's own documentation of its OAuth flow or API authentication (https); every preset names one.</summary>
    public string? Docs { get; set; }

    /// <summary>OAuth issuer identifier; used for RFC 9207 <c>iss</c> checks and RFC 8414 discovery.</summary>
    public string? Issuer { get; set; }

    public string? AuthorizationUrl { get; set; }

    public string? TokenUrl { get; set; }

    /// <summary>RFC 7009 revocation endpoint; none (and no <see cref="Revocation"/>) means revoke is local only.</summary>
    public string? RevocationUrl { get; set; }

    /// <summary>A revocation endpoint that is not RFC 7009 (GitHub, HubSpot), described as data; instead of <see cref="RevocationUrl"/>.</summary>
    public RevocationOptions? Revocation { get; set; }

    /// <summary>Where proxied requests go: <c>/{provider}/{path}</c> → <c>{ApiBaseUrl}/{path}</c>.</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>
    /// Hosts a URL with a placeholder in its host may resolve to: <c>host</c> or <c>*.domain</c> (one label), with an
    /// optional <c>:port</c> or <c>:*</c>; without a port only the scheme's default port.
    /// </summary>
    public string[]? AllowedHosts { get; set; }

    /// <summary>The <c>{name}</c> placeholders of the URLs above, by name, and where each value comes from.</summary>
    public Dictionary<string, ParameterOptions>? Parameters { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The client secret; the one-item form of <see cref="ClientSecrets"/> (set one of the two).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// The client secrets, newest first, while a secret is being rotated at the provider: the first is used, the next ones
    /// only when the provider answers <c>invalid_client</c> (docs/architecture.md §5). No entry may be empty or repeated.
    /// </summary>
    public string[]? ClientSecrets { get; set; }

    /// <summary>Scopes requested when a connect does not name its own.</summary>
    public string[]? Scopes { get; set; }

    /// <summary>Joins scopes in the authorization request. Default: a space (RFC 6749 §3.3); Slack and Linear use a comma.</summary>
    public string? ScopeSeparator { get; set; }

    /// <summary>RFC 7636 PKCE with S256. Default: true; a few providers refuse it.</summary>
    public bool? UsePkce { get; set; }

    /// <summary><c>client_secret_basic</c> (default), <c>client_secret_post</c> or <c>none</c>.</summary>
    public string? TokenEndpointAuth { get; set; }

    /// <summary>
    /// Where the token request's parameters go: <c>form</c> (default, RFC 6749 §4.1.3) or <c>query</c>, for a provider
    /// that documents them in the token endpoint's query string (ClickUp).
    /// </summary>
    public string? TokenRequest { get; set; }

    /// <summary>Extra query parameters on the authorization request (Google: <c>access_type=offline</c>).</summary>
    public Dictionary<string, string>? AuthorizationParameters { get; set; }

    /// <summary>Extra form parameters on every token request (code exchange and refresh).</summary>
    public Dictionary<string, string>? TokenParameters { get; set; }

    /// <summary>
    /// The header that carries the token upstream, <c>Name: value</c> with <c>{token}</c> once in the value.
    /// Default: <c>Authorization: Bearer {token}</c>.
    /// </summary>
    public string? TokenHeader { get; set; }

    /// <summary>
    /// Dotted path of an object in the token response that holds the tokens when the top level does not
    /// (Slack user tokens sit under <c>authed_user</c>).
    /// </summary>
    public string? TokenResponsePath { get; set; }

    /// <summary>Token response fields kept with the connection (dotted paths, e.g. <c>team.id</c>).</summary>
    public string[]? TokenResponseFields { get; set; }

    /// <summary>Where the account identity is read after a connect; optional.</summary>
    public IdentityOptions? Identity { get; set; }

    /// <summary>Per-provider override of <c>TokenProxy:Refresh:Skew</c>.</summary>
    public TimeSpan? RefreshSkew { get; set; }

    /// <summary>
    /// How long a proxied request may wait for the API with nothing arriving: for the answer's head, and between two
    /// reads of a streamed body (a long poll, server-sent events).
    /// </summary>
    /// <value>Default 100 seconds; 1 second to 1 hour.</value>
    public TimeSpan? UpstreamTimeout { get; set; }

    /// <summary>
    /// The credential kinds connections of this provider may hold: <c>OAuth2</c>, <c>ApiKey</c>, <c>Basic</c>; one value or a
    /// list. Default: <c>OAuth2</c>.
    /// </summary>
    [OneOrList]
    [System.Text.Json.Serialization.JsonConverter(typeof(OneOrListJsonConverter))]
    public string[]? Auth { get; set; }

    /// <summary>Where an API key goes upstream; required when <see cref="Auth"/> offers <c>ApiKey</c>.</summary>
    public ApiKeyOptions? ApiKey { get; set; }

    /// <summary>
    /// Headers the provider's API requires on every request (<c>Notion-Version</c>), added when the app sent none of that
    /// name. A value may hold <c>{name}</c> placeholders declared under <see cref="Parameters"/>.
    /// </summary>
    public Dictionary<string, string>? Headers { get; set; }

    /// <summary>How long a refresh token lasts from the connect, when the token answer has no <c>refresh_token_expires_in</c>.</summary>
    public TimeSpan? RefreshTokenLifetime { get; set; }

    /// <summary>How long a refresh token lasts unused (Atlassian: 90 days), counted from the latest connect or refresh.</summary>
    public TimeSpan? RefreshTokenIdleLifetime { get; set; }

    /// <summary>
    /// What to do about an error, keyed by an OAuth error code (exact) or a phrase of its description (any case); shown on a
    /// connection in error.
    /// </summary>
    public Dictionary<string, string>? ErrorHints { get; set; }

    /// <summary>
    /// Response headers in which the API names the scopes a token was granted and the scopes an operation accepts
    /// (GitHub: <c>X-OAuth-Scopes</c>, <c>X-Accepted-OAuth-Scopes</c>), read on a 403 besides RFC 6750's
    /// <c>WWW-Authenticate: Bearer error="insufficient_scope"</c>. Default: none.
    /// </summary>
    public ScopeHeadersOptions? ScopeHeaders { get; set; }

    /// <summary>
    /// A cheap authenticated read, relative to the connection's API base (<c>/v1/me</c>), that <c>Test connection</c> makes
    /// when the provider has no identity endpoint (or instead of it). Starts with <c>/</c>. Default: none.
    /// </summary>
    public string? TestPath { get; set; }
}

/// <summary>The API's response headers naming granted and accepted scopes, comma-separated (GitHub).</summary>
internal sealed class ScopeHeadersOptions
{
    /// <summary>The header naming the scopes the token was granted (GitHub: <c>X-OAuth-Scopes</c>).</summary>
    public string? Granted { get; set; }

    /// <summary>The header naming the scopes the operation accepts, any one of which would do (GitHub: <c>X-Accepted-OAuth-Scopes</c>).</summary>
    public string? Accepted { get; set; }
}

/// <summary>An identity endpoint and the dotted JSON paths of the account's id, email and name.</summary>
internal sealed class IdentityOptions
{
    public string? Url { get; set; }

    public string? IdField { get; set; }

    public string? EmailField { get; set; }

    public string? NameField { get; set; }
}
