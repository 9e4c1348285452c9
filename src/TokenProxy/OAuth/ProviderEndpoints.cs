using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>A provider's OAuth endpoints, configured or discovered, and what its metadata says it supports.</summary>
internal sealed record ResolvedEndpoints(
    Uri? AuthorizationUrl,
    Uri? TokenUrl,
    Uri? RevocationUrl,
    string? Issuer,
    bool IssParameterSupported,
    IReadOnlyList<string>? CodeChallengeMethods,
    string? Problem);

/// <summary>
/// Resolves the endpoints of a provider. Configured URLs win; a provider configured with only an
/// <c>Issuer</c> gets the rest from OpenID Connect discovery or RFC 8414 metadata. The returned
/// <c>issuer</c> must equal the configured one exactly (RFC 8414 §3.3, mix-up defence), metadata fetches
/// never follow redirects, and endpoints must be https (loopback excepted). Good metadata is cached for
/// an hour; a failure is retried on the next use.
/// </summary>
internal sealed class ProviderEndpoints(IHttpClientFactory httpClients, IMemoryCache cache)
{
    /// <summary>Discovery requests: no redirects, retried on 5xx and lost connections.</summary>
    public const string HttpClientName = "TokenProxy.OAuth.Metadata";

    private static readonly TimeSpan CacheFor = TimeSpan.FromHours(1);

    public async ValueTask<ResolvedEndpoints> ResolveAsync(ProviderDefinition provider, CancellationToken cancellationToken)
    {
        if (provider.Issuer is null || (provider.AuthorizationUrl is not null && provider.TokenUrl is not null))
        {
            return new ResolvedEndpoints(provider.AuthorizationUrl, provider.TokenUrl, provider.RevocationUrl, provider.Issuer, false, null, null);
        }

        // Keyed by the configured endpoints too: a templated one is filled per connection (ProviderDefinition.ForConnection),
        // and one connection's must never be served to another.
        // And by the issuer: a provider changed at runtime to another issuer is discovered anew.
        var key = (typeof(ResolvedEndpoints), provider.Name, provider.Issuer, provider.AuthorizationUrl, provider.TokenUrl, provider.RevocationUrl);
        if (cache.TryGetValue(key, out ResolvedEndpoints? cached) && cached is not null)
        {
            return cached;
        }

        var discovered = await DiscoverAsync(provider, provider.Issuer, cancellationToken);
        if (discovered.Problem is null)
        {
            cache.Set(key, discovered, CacheFor);
        }

        return discovered;
    }

    private async Task<ResolvedEndpoints> DiscoverAsync(ProviderDefinition provider, string issuer, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var url in MetadataUrls(issuer))
        {
            var (metadata, problem) = await FetchAsync(url, cancellationToken);
            if (metadata is not { } m)
            {
                problems.Add(problem!);
                continue;
            }

            // RFC 8414 §3.3: the issuer in the metadata must be identical to the one the URL was built from.
            var claimed = m.TryGetProperty("issuer", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            if (claimed != issuer)
            {
                return Failed($"The metadata at {url} names issuer '{claimed}', not the configured '{issuer}'; it was not used.");
            }

            var authorization = provider.AuthorizationUrl ?? EndpointOf(m, "authorization_endpoint", problems);
            var token = provider.TokenUrl ?? EndpointOf(m, "token_endpoint", problems);
            var revocation = provider.RevocationUrl ?? EndpointOf(m, "revocation_endpoint", problems);
            if (authorization is null || token is null)
            {
                return Failed($"The metadata at {url} is unusable: {string.Join("; ", problems.DefaultIfEmpty("no authorization or token endpoint"))}.");
            }

            var methods = m.TryGetProperty("code_challenge_methods_supported", out var c) && c.ValueKind == JsonValueKind.Array
                ? c.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : null;
            var iss = m.TryGetProperty("authorization_response_iss_parameter_supported", out var s) && s.ValueKind == JsonValueKind.True;
            return new ResolvedEndpoints(authorization, token, revocation, issuer, iss, methods, null);
        }

        return Failed($"No usable metadata for issuer '{issuer}': {string.Join("; ", problems)}.");
    }

    /// <summary>OIDC Discovery 1.0 §4 appends the well-known path; RFC 8414 §3.1 inserts it before the issuer's path.</summary>
    private static IEnumerable<Uri> MetadataUrls(string issuer)
    {
        var uri = new Uri(issuer);
        var path = uri.AbsolutePath.TrimEnd('/');
        yield return new Uri($"{issuer.TrimEnd('/')}/.well-known/openid-configuration");
        yield return new Uri($"{uri.GetLeftPart(UriPartial.Authority)}/.well-known/oauth-authorization-server{path}");
    }

    private async Task<(JsonElement? Metadata, string? Problem)> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).GetAsync(url, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // Includes 3xx: RFC 8414 §3.2 metadata must come from the URL itself, redirects are not followed.
                return (null, $"{url} answered {(int)response.StatusCode}");
            }

            var body = await TokenEndpointClient.ReadBoundedAsync(response.Content, cancellationToken);
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? (document.RootElement.Clone(), null) : (null, $"{url} is not a JSON object");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException or (TaskCanceledException and not OperationCanceledException { CancellationToken.IsCancellationRequested: true }))
        {
            return (null, $"{url} could not be read ({e.GetType().Name})");
        }
    }

    private static Uri? EndpointOf(JsonElement metadata, string name, List<string> problems)
    {
        if (!metadata.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        if (Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && ProviderCatalog.IsLoopback(uri))))
        {
            return uri;
        }

        problems.Add($"{name} '{value.GetString()}' is not an https URL");
        return null;
    }

    private static ResolvedEndpoints Failed(string problem) => new(null, null, null, null, false, null, problem);
}
