using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace TokenProxy.OAuth;

internal static class OAuthServiceCollectionExtensions
{
    /// <summary>A Retry-After longer than this is not waited for: someone (a person at the admin pages, a connect) is waiting.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddOAuthClient(this IServiceCollection services)
    {
        // The token endpoint: no resilience handler. A code is single-use (RFC 6749 §4.1.2) and a rotated refresh
        // token may be spent by a request whose answer was lost, so a blind re-send could burn the grant; the
        // refresher retries with Polly.Core, deciding from the parsed answer (TokenRefresher.Endpoint.cs).
        // No request logs: with TokenRequest "query" the code, refresh token and client secret are in the address. Each
        // call sets its own timeout (TokenEndpointClient): a refresh waits as long as the refresher lets it, since an
        // answer given up on may hold a rotated refresh token.
        AddOAuthHttpClient(services, TokenEndpointClient.HttpClientName).RemoveAllLoggers();

        // Discovery runs while a person waits on the callback: one try, bounded (a failure is a failed connect to retry).
        AddOAuthHttpClient(services, DiscoveryClient.HttpClientName).ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(10));

        // Metadata, identity and revocation: the status code alone says whether to try again (5xx, 408, 429, no
        // connection). Revocation is idempotent (RFC 7009 §2.2: an invalid token is answered 200, too), so a
        // re-send cannot do harm; §2.2.1 asks clients to retry a 503 later.
        foreach (var name in new[] { ProviderEndpoints.HttpClientName, IdentityClient.HttpClientName, RevocationClient.HttpClientName })
        {
            AddOAuthHttpClient(services, name).AddResilienceHandler("status", pipeline => pipeline
                .AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(200),
                    ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)
                        && !(args.Outcome.Result?.Headers.RetryAfter?.Delta > MaxRetryAfter)),
                })
                .AddTimeout(TimeSpan.FromSeconds(10)));
        }

        // A revocation address can carry the token (HubSpot's /refresh-tokens/{token}); HttpClientFactory's request logs
        // would write it out. Failures are logged without addresses (Log.RevocationFailed).
        services.AddHttpClient(RevocationClient.HttpClientName).RemoveAllLoggers();

        services.AddOptions<PublicUrlOptions>().BindConfiguration(PublicUrlOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PublicUrlOptions>, PublicUrlOptionsValidator>();
        services.AddMemoryCache();
        services.AddSingleton<ProviderEndpoints>();
        services.AddSingleton<ClientSecretRotation>();
        services.AddSingleton<TokenEndpointClient>();
        services.AddSingleton<IdentityClient>();
        services.AddSingleton<RevocationClient>();
        services.AddSingleton<DiscoveryClient>();
        return services;
    }

    private static IHttpClientBuilder AddOAuthHttpClient(IServiceCollection services, string name) =>
        services.AddHttpClient(name, client => client.Timeout = TimeSpan.FromSeconds(15))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // RFC 9700 §4.12: never follow a redirect with a code, refresh token or client secret in the body.
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.All,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            });
}
