using System.Net.Http.Headers;
using System.Text.Json;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>
/// Reads who the connected account is (GitHub <c>/user</c>, OIDC <c>userinfo</c>, …) with the new access
/// token. Best effort: a failure leaves the account unknown but does not fail the connect.
/// </summary>
internal sealed class IdentityClient(IHttpClientFactory httpClients, ILogger<IdentityClient> logger)
{
    /// <summary>Identity requests: no redirects (the access token is in a header), retried on 5xx and lost connections.</summary>
    public const string HttpClientName = "TokenProxy.OAuth.Identity";

    public async Task<AccountIdentity?> ReadAsync(ProviderDefinition provider, string accessToken, CancellationToken cancellationToken)
    {
        // A templated identity URL is resolved (and checked) by ProviderDefinition.ForConnection; unresolved, it is not read.
        if (provider.Identity is not { Url: { } url } identity)
        {
            return null;
        }

        try
        {
            using var request = AuthorizedGet(provider, url, accessToken);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Log.AccountNotRead(logger, provider.Name, $"HTTP {(int)response.StatusCode}");
                return null;
            }

            using var document = JsonDocument.Parse(await TokenEndpointClient.ReadBoundedAsync(response.Content, cancellationToken));
            var root = document.RootElement;
            var account = new AccountIdentity(
                Field(root, identity.IdField), ProviderText.Account(Field(root, identity.EmailField)), ProviderText.Account(Field(root, identity.NameField)));
            return account is { Id: null, Email: null, Name: null } ? null : account;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException or IOException)
        {
            // The kind of failure only: an exception's message can quote the answer, or the address.
            Log.AccountNotRead(logger, provider.Name, e is HttpRequestException { HttpRequestError: var error and not HttpRequestError.Unknown } ? error.ToString() : e.GetType().Name);
            return null;
        }
    }

    /// <summary>A GET of <paramref name="url"/> asking for JSON, with the access token in the provider's token header.</summary>
    public static HttpRequestMessage AuthorizedGet(ProviderDefinition provider, Uri url, string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // GitHub's API refuses requests without a User-Agent.
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("TokenProxy", "1.0"));
        request.Headers.TryAddWithoutValidation(provider.TokenHeader.Name, provider.TokenHeader.Format(accessToken));
        return request;
    }

    /// <summary>The string or number at <paramref name="path"/> (dotted) in <paramref name="root"/>, as text; null otherwise.</summary>
    public static string? Field(JsonElement root, string? path) =>
        path is not null && TokenResponseParser.Find(root, path) is { } value
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
