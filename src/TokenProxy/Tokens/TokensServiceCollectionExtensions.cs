namespace TokenProxy.Tokens;

internal static class TokensServiceCollectionExtensions
{
    public static IServiceCollection AddTokens(this IServiceCollection services)
    {
        services.AddSingleton<CredentialCache>();
        services.AddSingleton<TokenService>();
        return services;
    }
}
