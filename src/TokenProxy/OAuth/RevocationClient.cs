using System.Net;
using System.Net.Http.Headers;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>
/// RFC 7009 token revocation: the refresh token first (§2.1: revoking it should also invalidate the access
/// tokens of the same grant), then the access token, each with <c>token_type_hint</c> and the client's
/// authentication. 200 does not prove the token existed (§2.2), only that it is not valid now.
/// No redirects are followed; the endpoint is https (checked at startup) except on loopback.
/// </summary>
internal sealed class RevocationClient(IHttpClientFactory httpClients, ProviderEndpoints endpoints, TimeProvider time, ILogger<RevocationClient> logger)
{
    /// <summary>Revocation requests: no redirects, retried on 5xx and lost connections (revoking twice is harmless).</summary>
    public const string HttpClientName = "TokenProxy.OAuth.Revocation";

    public async Task<RevocationResult> RevokeAsync(ProviderDefinition provider, string? refreshToken, string? accessToken, CancellationToken cancellationToken)
    {
        var resolved = await endpoints.ResolveAsync(provider, cancellationToken);
        if (resolved.RevocationUrl is not { } url)
        {
            return RevocationResult.NotSupported($"{provider.DisplayName} has no revocation endpoint; the tokens were deleted here only.");
        }

        var results = new List<RevokedToken>();
        if (refreshToken is not null)
        {
            results.Add(await RevokeOneAsync(provider, url, refreshToken, "refresh_token", cancellationToken));
        }

        if (accessToken is not null)
        {
            results.Add(await RevokeOneAsync(provider, url, accessToken, "access_token", cancellationToken));
        }

        foreach (var failed in results.Where(r => r.Failure is not null))
        {
            var failure = failed.Failure!;
            var kind = failure.Kind.ToWire();
            Log.RevocationFailed(logger, provider.Name, failed.Type, failure.Error, kind);
        }

        return new RevocationResult(results.FirstOrDefault(r => r.Failure is not null)?.Failure, results);
    }

    private async Task<RevokedToken> RevokeOneAsync(ProviderDefinition provider, Uri url, string token, string hint, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = hint };
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        TokenEndpointClient.AddClientAuthentication(provider, request, form);
        request.Content = new FormUrlEncodedContent(form);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            // §2.2: 200 for success, also when the token was already invalid. §2.2.1: 503 means "try again later"; any
            // other answer is a refusal (unsupported_token_type, invalid_client).
            var status = (int)response.StatusCode;
            return new RevokedToken(hint, response.StatusCode switch
            {
                HttpStatusCode.OK => null,
                HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError =>
                    TokenFailure.Transient($"http_{status}", $"The revocation endpoint answered {status}.", TokenEndpointClient.RetryAfter(response, time.GetUtcNow()), status),
                _ => TokenFailure.Rejected($"http_{status}", $"The revocation endpoint answered {status}.", status),
            });
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new RevokedToken(hint, TokenFailure.Transient("connection_failed", "The revocation endpoint could not be reached."));
        }
    }
}
