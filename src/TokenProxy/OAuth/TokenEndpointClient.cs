using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>
/// Calls a provider's token endpoint (RFC 6749 §4.1.3 code exchange, §4.4 client credentials, §6 refresh) with the client
/// authentication the provider wants. It never follows redirects (RFC 9700 §4.12: a 307 would re-send
/// the refresh token and client secret to wherever it points) and turns every failure into a
/// <see cref="TokenResult{T}"/> failure: rejected (reconnect) or transient (try again).
/// </summary>
internal sealed class TokenEndpointClient(IHttpClientFactory httpClients, ProviderEndpoints endpoints, ClientSecretRotation secrets, TimeProvider time)
{
    /// <summary>The named HttpClient for token endpoint calls: no redirects, no cookies, no automatic retries.</summary>
    public const string HttpClientName = "TokenProxy.OAuth";

    private const int MaxBodyBytes = 256 * 1024;

    /// <summary>How long a code exchange waits for the token endpoint: a person waits on the callback.</summary>
    private static readonly TimeSpan ExchangeTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The failures of a request that may have reached the token endpoint and been processed there (no answer in time, the
    /// connection lost after it was sent): a refresh must not be sent again with the same refresh token, which a rotating
    /// provider has spent (RFC 9700 §4.14.2).
    /// </summary>
    public static bool MayHaveBeenProcessed(TokenFailure failure) => failure.Error is TimedOut or ConnectionLost;

    private const string TimedOut = "timeout";
    private const string ConnectionLost = "connection_lost";

    public Task<TokenResult<TokenSet>> ExchangeCodeAsync(ProviderDefinition provider, string code, string redirectUri, string? codeVerifier, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            // RFC 6749 §4.1.3: identical to the redirect_uri of the authorization request.
            ["redirect_uri"] = redirectUri,
        };
        if (codeVerifier is not null)
        {
            form["code_verifier"] = codeVerifier;
        }

        return PostAsync(provider, form, ExchangeTimeout, cancellationToken);
    }

    /// <summary>RFC 6749 §6, waiting for the answer as long as <paramref name="cancellationToken"/> allows (the refresher bounds it).</summary>
    public Task<TokenResult<TokenSet>> RefreshAsync(ProviderDefinition provider, string refreshToken, CancellationToken cancellationToken) =>
        PostAsync(provider, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// RFC 6749 §4.4.2: a token for the client itself, with its scopes (none: the server's default). <c>audience</c> or
    /// <c>resource</c> (RFC 8707), when the provider wants one, come from its <c>TokenParameters</c> like any extra form
    /// field. §4.4.3 says no refresh token should be issued; one sent anyway is dropped, the grant is simply run again.
    /// </summary>
    public async Task<TokenResult<TokenSet>> RequestClientCredentialsAsync(ProviderDefinition provider, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scopes.Count > 0)
        {
            form["scope"] = string.Join(provider.ScopeSeparator, scopes);
        }

        var result = await PostAsync(provider, form, Timeout.InfiniteTimeSpan, cancellationToken);
        return result.Succeeded && result.Value.RefreshToken is not null ? TokenResult<TokenSet>.Success(result.Value with { RefreshToken = null }) : result;
    }

    /// <summary>One grant, with the provider's client secret in use, and its other secrets on <c>invalid_client</c>.</summary>
    private Task<TokenResult<TokenSet>> PostAsync(ProviderDefinition provider, Dictionary<string, string> form, TimeSpan timeout, CancellationToken cancellationToken) =>
        secrets.SendAsync(
            provider,
            (withSecret, token) => PostOnceAsync(withSecret, new Dictionary<string, string>(form, StringComparer.Ordinal), timeout, token),
            result => result.Failure,
            refused => refused,
            cancellationToken);

    private async Task<TokenResult<TokenSet>> PostOnceAsync(ProviderDefinition provider, Dictionary<string, string> form, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var resolved = await endpoints.ResolveAsync(provider, cancellationToken);
        if (resolved.TokenUrl is not { } tokenUrl)
        {
            return TokenFailure.Transient("no_token_endpoint", resolved.Problem ?? $"{provider.Name} has no token endpoint.");
        }

        foreach (var (key, value) in provider.TokenParameters)
        {
            form.TryAdd(key, value);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl);
        // GitHub answers form-encoded bodies unless asked for JSON.
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        AddClientAuthentication(provider, request, form);
        if (provider.TokenRequestInQuery)
        {
            // The code, refresh token and a posted client secret are then in the address: spans show it without its query
            // (QueryStringRedactor), this client writes no request logs, and redirects are not followed.
            request.RequestUri = new Uri(QueryHelpers.AddQueryString(tokenUrl.AbsoluteUri, form.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))));
        }
        else
        {
            request.Content = new FormUrlEncodedContent(form);
        }

        try
        {
            var client = httpClients.CreateClient(HttpClientName);
            client.Timeout = timeout;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = await ReadBoundedAsync(response.Content, cancellationToken);
            return TokenResponseParser.Parse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, RetryAfter(response, time.GetUtcNow()), provider);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
        {
            // No connection was made: the request never left.
            return TokenFailure.Transient("connection_failed", $"The token endpoint could not be reached ({e.HttpRequestError}).");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // The connection broke once the request was on its way: the provider may or may not have processed it.
            return TokenFailure.Transient(ConnectionLost, "The connection to the token endpoint broke before its answer arrived.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TokenFailure.Transient(TimedOut, "The token endpoint did not answer in time.");
        }
    }

    /// <summary>RFC 6749 §2.3.1: HTTP Basic with form-encoded id and secret, or both in the body; public clients send only client_id.</summary>
    public static void AddClientAuthentication(ProviderDefinition provider, HttpRequestMessage request, Dictionary<string, string> form)
    {
        var clientId = provider.ClientId ?? string.Empty;
        if (provider.ClientSecret is { } secret && provider.TokenEndpointAuth == TokenEndpointAuth.ClientSecretBasic)
        {
            var pair = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
            return;
        }

        form["client_id"] = clientId;
        if (provider.ClientSecret is { } postSecret && provider.TokenEndpointAuth == TokenEndpointAuth.ClientSecretPost)
        {
            form["client_secret"] = postSecret;
        }
    }

    /// <summary>RFC 9110 §9.2.3: Retry-After is seconds or an HTTP date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - now is { Ticks: > 0 } wait ? wait : TimeSpan.Zero,
        _ => null,
    };

    public static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBodyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}
