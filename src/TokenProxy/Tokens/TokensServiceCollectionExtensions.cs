using Microsoft.Extensions.Options;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

internal static class TokensServiceCollectionExtensions
{
    public static IServiceCollection AddTokens(this IServiceCollection services)
    {
        services.AddOptions<RefreshOptions>().BindConfiguration(RefreshOptions.SectionName).PostConfigure<IConfiguration>(ReadFormerKeys).ValidateOnStart();
        services.AddSingleton<ConnectionLapses>();
        services.AddSingleton<IValidateOptions<RefreshOptions>, RefreshOptionsValidator>();
        // A PostgreSQL store waits for another instance's refresh about as long as a refresh may take (docs/architecture.md, §5).
        services.AddOptions<StoreOptions>().PostConfigure<IOptions<RefreshOptions>>(UseRefreshTimeout);
        services.AddSingleton<AuthorizationFlow>();
        services.AddSingleton<TokenInstrumentation>();
        // A cached credential carries what its provider said (header format, API base, static headers): a provider changed
        // at runtime drops its connections' entries (docs/architecture.md §13).
        services.AddSingleton(sp =>
        {
            var cache = ActivatorUtilities.CreateInstance<CredentialCache>(sp);
            sp.GetRequiredService<ProviderCatalog>().Changed += cache.EvictProviders;
            return cache;
        });
        services.AddSingleton<RefreshSchedule>();
        services.AddSingleton<TokenRefresher>();
        // A provider changed at runtime may be a fixed client secret: its remembered misconfigured answers go.
        services.AddSingleton(sp =>
        {
            var tokens = ActivatorUtilities.CreateInstance<TokenService>(sp);
            sp.GetRequiredService<ProviderCatalog>().Changed += tokens.ForgetMisconfigured;
            return tokens;
        });
        services.AddSingleton<BackgroundRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundRefresher>());
        services.AddSingleton<EventLogMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<EventLogMaintenance>());
        return services;
    }

    /// <summary><c>Events:ExpiringWithin</c>, the former name of <c>Refresh:ExpiringWarning</c>, counts when the new one is not set.</summary>
    private static void ReadFormerKeys(RefreshOptions refresh, IConfiguration configuration)
    {
        if (configuration[$"{RefreshOptions.SectionName}:{nameof(RefreshOptions.ExpiringWarning)}"] is null
            && TimeSpan.TryParse(configuration[RefreshOptions.FormerExpiringWarningKey], System.Globalization.CultureInfo.InvariantCulture, out var former))
        {
            refresh.ExpiringWarning = former;
        }
    }

    private static void UseRefreshTimeout(StoreOptions store, IOptions<RefreshOptions> refresh)
    {
        try
        {
            store.UseRefreshTimeout(refresh.Value.RunLimit);
        }
        catch (OptionsValidationException)
        {
            // The refresh settings report their own problems; the store's are still checked and listed beside them.
        }
    }
}
