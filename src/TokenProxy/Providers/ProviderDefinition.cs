namespace TokenProxy.Providers;

/// <summary>A provider after its preset and configuration were merged and validated.</summary>
internal sealed record ProviderDefinition
{
    public required string Name { get; init; }

    public required string DisplayName { get; init; }

    /// <summary>True when configuration names this provider (not only a shipped preset).</summary>
    public bool Configured { get; init; }

    public string? Issuer { get; init; }

    public Uri? AuthorizationUrl { get; init; }

    public Uri? TokenUrl { get; init; }

    public Uri? RevocationUrl { get; init; }

    /// <summary>The only origin and path prefix proxied requests and their tokens may go to.</summary>
    public required Uri ApiBaseUrl { get; init; }

    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    public IReadOnlyList<string> Scopes { get; init; } = [];

    public string ScopeSeparator { get; init; } = " ";

    public bool UsePkce { get; init; } = true;

    public TokenEndpointAuth TokenEndpointAuth { get; init; }

    public IReadOnlyDictionary<string, string> AuthorizationParameters { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> TokenParameters { get; init; } = new Dictionary<string, string>();

    public required TokenHeaderFormat TokenHeader { get; init; }

    public string? TokenResponsePath { get; init; }

    public IReadOnlyList<string> TokenResponseFields { get; init; } = [];

    public IdentityEndpoint? Identity { get; init; }

    public TimeSpan? RefreshSkew { get; init; }

    /// <summary>True when people can connect accounts: a client id and the OAuth endpoints (or an issuer to discover them).</summary>
    public bool CanConnect => ClientId is not null && (TokenUrl is not null || Issuer is not null);
}
