using System.Net;
using System.Text.Json;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>
/// Calls a parameter's <c>Discovery:Url</c> with a new access token (Atlassian <c>accessible-resources</c>) and reads the
/// JSON array it answers. The URL is the configured one, validated at startup (https, loopback excepted); redirects are
/// not followed (the token is in a header), the call is bounded in time and the answer in size, and only entries whose
/// value passes the parameter's checks (<see cref="ProviderParameter.Problem"/>) are offered.
/// </summary>
internal sealed class DiscoveryClient(IHttpClientFactory httpClients)
{
    /// <summary>Discovery requests: no redirects, no cookies, a 10 s timeout.</summary>
    public const string HttpClientName = "TokenProxy.OAuth.Discovery";

    public async Task<DiscoveryResult> DiscoverAsync(ProviderDefinition provider, ProviderParameter parameter, string accessToken, CancellationToken cancellationToken)
    {
        var discovery = parameter.Discovery!;
        try
        {
            using var request = IdentityClient.AuthorizedGet(provider, discovery.Url, accessToken);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // Includes 3xx: the access token is not re-sent to wherever a redirect points.
                return DiscoveryResult.Failed($"{discovery.Url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}");
            }

            using var document = JsonDocument.Parse(await TokenEndpointClient.ReadBoundedAsync(response.Content, cancellationToken));
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return DiscoveryResult.Failed($"{discovery.Url.GetLeftPart(UriPartial.Path)} did not answer a JSON array");
            }

            var offered = new List<DiscoveredValue>();
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && IdentityClient.Field(entry, discovery.ValueField) is { } value && parameter.Problem(value) is null && offered.All(o => o.Value != value))
                {
                    offered.Add(new DiscoveredValue(value, IdentityClient.Field(entry, discovery.LabelField) ?? value));
                }
            }

            return new DiscoveryResult(offered, null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException or (TaskCanceledException and not OperationCanceledException { CancellationToken.IsCancellationRequested: true }))
        {
            return DiscoveryResult.Failed($"{discovery.Url.GetLeftPart(UriPartial.Path)} could not be read ({e.GetType().Name})");
        }
    }
}
