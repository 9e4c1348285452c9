using System.Net;

namespace TokenProxy.OAuth;

internal static class OAuthServiceCollectionExtensions
{
    public static IServiceCollection AddOAuthClient(this IServiceCollection services)
    {
        services.AddHttpClient(TokenEndpointClient.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // RFC 9700 §4.12: never follow a redirect with a code, refresh token or client secret in the body.
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.All,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            });
        services.AddSingleton<ProviderEndpoints>();
        services.AddSingleton<TokenEndpointClient>();
        services.AddSingleton<IdentityClient>();
        services.AddSingleton<RevocationClient>();
        services.AddSingleton<AuthorizationFlow>();
        return services;
    }
}
