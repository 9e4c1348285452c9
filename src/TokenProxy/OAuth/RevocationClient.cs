using System.Net;
using System.Net.Http.Headers;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>
/// RFC 7009 token revocation: the refresh token first (§2.1: revoking it should also invalidate the access
/// tokens of the same grant), then the access token, each with <c>token_type_hint</c> and the client's
/// authentication. 200 does not prove the token existed (§2.2), only that it is not valid now. A provider whose
/// endpoint is not RFC 7009 describes its own as data (<see cref="RevocationEndpoint"/>; docs/architecture.md §7).
/// No redirects are followed; the endpoint is https (checked at startup) except on loopback.
/// </summary>
internal sealed class RevocationClient(
    IHttpClientFactory httpClients, ProviderEndpoints endpoints, ClientSecretRotation secrets, TimeProvider time, ILogger<RevocationClient> logger)
{
    /// <summary>Revocation requests: no redirects, retried on 5xx and lost connections (revoking twice is harmless).</summary>
    public const string HttpClientName = "TokenProxy.OAuth.Revocation";

    /// <summary>
    /// Revokes the tokens at the provider. <paramref name="parameters"/> are the connection's, for an endpoint with
    /// placeholders.
    /// </summary>
    public async Task<RevocationResult> RevokeAsync(
        ProviderDefinition provider, string? refreshToken, string? accessToken, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? parameters = null)
    {
        if (provider.Revocation is { } described)
        {
            return await RevokeDescribedAsync(provider, described, refreshToken, accessToken, parameters ?? new Dictionary<string, string>(), cancellationToken);
        }

        var resolved = await endpoints.ResolveAsync(provider, cancellationToken);
        if (resolved.RevocationUrl is not { } url)
        {
            return RevocationResult.NotSupported($"{provider.DisplayName} has no revocation endpoint; the tokens were deleted here only.");
        }

        var results = new List<RevokedToken>();
        if (refreshToken is not null)
        {
            results.Add(new RevokedToken("refresh_token", await WithSecretsAsync(provider, p => RevokeOneAsync(p, url, refreshToken, "refresh_token", cancellationToken), cancellationToken)));
        }

        if (accessToken is not null)
        {
            results.Add(new RevokedToken("access_token", await WithSecretsAsync(provider, p => RevokeOneAsync(p, url, accessToken, "access_token", cancellationToken), cancellationToken)));
        }

        return Done(provider, results);
    }

    private RevocationResult Done(ProviderDefinition provider, List<RevokedToken> results)
    {
        foreach (var failed in results.Where(r => r.Failure is not null))
        {
            var failure = failed.Failure!;
            var kind = failure.Kind.ToWire();
            Log.RevocationFailed(logger, provider.Name, failed.Type, failure.Error, kind);
        }

        return new RevocationResult(results.FirstOrDefault(r => r.Failure is not null)?.Failure, results);
    }

    /// <summary>
    /// One revocation with the provider's client secret in use, and its other secrets on <c>invalid_client</c> (RFC 7009
    /// §2.2.1 answers it as RFC 6749 §5.2 does). A wrapper, because a success is a null failure here.
    /// </summary>
    private async Task<TokenFailure?> WithSecretsAsync(ProviderDefinition provider, Func<ProviderDefinition, Task<TokenFailure?>> revoke, CancellationToken cancellationToken)
    {
        var outcome = await secrets.SendAsync(
            provider, async (withSecret, _) => new Outcome(await revoke(withSecret)), o => o.Failure, refused => new Outcome(refused), cancellationToken);
        return outcome.Failure;
    }

    private sealed record Outcome(TokenFailure? Failure);

    private async Task<TokenFailure?> RevokeOneAsync(ProviderDefinition provider, Uri url, string token, string hint, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = hint };
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        TokenEndpointClient.AddClientAuthentication(provider, request, form);
        request.Content = new FormUrlEncodedContent(form);
        return await SendAsync(request, cancellationToken);
    }

    private async Task<RevocationResult> RevokeDescribedAsync(
        ProviderDefinition provider, RevocationEndpoint endpoint, string? refreshToken, string? accessToken, IReadOnlyDictionary<string, string> parameters,
        CancellationToken cancellationToken)
    {
        var tokens = new List<(string Token, string Type)>();
        if (endpoint.RevokesRefreshToken && refreshToken is not null)
        {
            tokens.Add((refreshToken, "refresh_token"));
        }

        if (endpoint.RevokesAccessToken && accessToken is not null)
        {
            tokens.Add((accessToken, "access_token"));
        }

        if (tokens.Count == 0)
        {
            return RevocationResult.NotSupported($"{provider.DisplayName} revokes only a connection's {(endpoint.RevokesRefreshToken ? "refresh" : "access")} token, which this one does not hold; the tokens were deleted here only.");
        }

        var resolved = endpoint.Resolve(parameters);
        if (resolved.Url is not { } url)
        {
            // Checked against configuration before anything is sent: a connection's parameters cannot move the endpoint.
            var refused = TokenFailure.Rejected("invalid_destination", $"The revocation endpoint could not be addressed: {resolved.Describe()}.");
            return Done(provider, [.. tokens.Select(t => new RevokedToken(t.Type, refused))]);
        }

        var results = new List<RevokedToken>();
        foreach (var (token, type) in tokens)
        {
            results.Add(new RevokedToken(type, await WithSecretsAsync(provider, p => RevokeDescribedOneAsync(p, endpoint, url, token, cancellationToken), cancellationToken)));
        }

        return Done(provider, results);
    }

    private async Task<TokenFailure?> RevokeDescribedOneAsync(ProviderDefinition provider, RevocationEndpoint endpoint, Uri url, string token, CancellationToken cancellationToken)
    {
        if (endpoint.WithToken(url, token) is not { } target)
        {
            return TokenFailure.Rejected("invalid_destination", "The revocation endpoint could not be addressed with the token in its path.");
        }

        using var request = new HttpRequestMessage(endpoint.Method, target);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // A provider's API-wide fixed headers (Notion-Version: its revoke endpoint refuses a request without one); a header
        // naming a connection's parameter is for the API, not the authorization server.
        foreach (var header in provider.Headers.Where(h => h.Placeholders.Count == 0 && !request.Headers.Contains(h.Name)))
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        if (endpoint.TokenIn is RevocationTokenPlacement.Path or RevocationTokenPlacement.Query)
        {
            // The address carries the token: spans record it with {token} in its place, and the client logs no addresses.
            request.Options.Set(Telemetry.ShownUrl.Key, RevocationEndpoint.Show(url));
        }

        var body = new Dictionary<string, string>(StringComparer.Ordinal);
        if (endpoint.TokenIn is RevocationTokenPlacement.Form or RevocationTokenPlacement.Json)
        {
            body[endpoint.TokenField] = token;
        }

        var clientId = provider.ClientId ?? string.Empty;
        switch (endpoint.ClientAuth)
        {
            case RevocationClientAuth.Basic when provider.ClientSecret is not null:
                TokenEndpointClient.AddClientAuthentication(provider with { TokenEndpointAuth = TokenEndpointAuth.ClientSecretBasic }, request, body);
                break;
            case RevocationClientAuth.Post:
                body["client_id"] = clientId;
                if (provider.ClientSecret is { } secret)
                {
                    body["client_secret"] = secret;
                }

                break;
        }

        if (body.Count > 0)
        {
            request.Content = endpoint.TokenIn == RevocationTokenPlacement.Json
                ? System.Net.Http.Json.JsonContent.Create(body)
                : new FormUrlEncodedContent(body);
        }

        return await SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// Sends one revocation. RFC 7009 §2.2: 200 for success, also when the token was already invalid (the providers with
    /// their own endpoints answer 204); §2.2.1: 503 means "try again later"; any other answer is a refusal. A 2xx with
    /// Slack's <c>"ok": false</c> is a refusal too.
    /// </summary>
    private async Task<TokenFailure?> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            return response.StatusCode switch
            {
                >= HttpStatusCode.OK and < HttpStatusCode.MultipleChoices => await RefusedInBodyAsync(response, cancellationToken),
                HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError =>
                    TokenFailure.Transient($"http_{status}", $"The revocation endpoint answered {status}.", TokenEndpointClient.RetryAfter(response, time.GetUtcNow()), status),
                _ => TokenFailure.Rejected(await ErrorCodeAsync(response, cancellationToken) ?? $"http_{status}", $"The revocation endpoint answered {status}.", status),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return TokenFailure.Transient("connection_failed", "The revocation endpoint could not be reached.");
        }
    }

    /// <summary>RFC 7009 §2.2.1: a refusal carries an RFC 6749 §5.2 <c>error</c> (<c>invalid_client</c> when the client was refused).</summary>
    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return null;
        }

        try
        {
            using var document = await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == System.Text.Json.JsonValueKind.String
                && error.GetString() is { Length: > 0 and <= 64 } code && code.All(c => c is >= '\x20' and <= '\x7e') ? code : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Slack's <c>auth.revoke</c> answers 200 with <c>{"ok": false, "error": "invalid_auth"}</c> when it did not revoke.</summary>
    private static async Task<TokenFailure?> RefusedInBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return null;
        }

        try
        {
            using var document = await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            var root = document.RootElement;
            if (root.ValueKind == System.Text.Json.JsonValueKind.Object && root.TryGetProperty("ok", out var ok) && ok.ValueKind == System.Text.Json.JsonValueKind.False)
            {
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == System.Text.Json.JsonValueKind.String ? ProviderText.Code(e.GetString())! : "error";
                return TokenFailure.Rejected(error, $"The revocation endpoint refused: {error}.", (int)response.StatusCode);
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // A 2xx whose body is not JSON after all: the status says it was revoked.
        }

        return null;
    }
}
