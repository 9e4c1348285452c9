namespace TokenProxy.Tokens;

internal static class TokensServiceCollectionExtensions
{
    public static IServiceCollection AddTokens(this IServiceCollection services)
    {
        services.AddSingleton<CredentialCache>();
        services.AddSingleton<RefreshSchedule>();
        services.AddSingleton<TokenRefresher>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<BackgroundRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundRefresher>());
        return services;
    }
}
