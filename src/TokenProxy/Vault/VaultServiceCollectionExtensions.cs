using Microsoft.Extensions.Options;

namespace TokenProxy.Vault;

internal static class VaultServiceCollectionExtensions
{
    public static IServiceCollection AddVault(this IServiceCollection services)
    {
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>();
        services.AddOptions<VaultOptions>().BindConfiguration(VaultOptions.SectionName);
        services.AddOptions<DataDirectoryOptions>().BindConfiguration(DataDirectoryOptions.SectionName);
        services.AddSingleton<DataPaths>();
        services.AddSingleton<VaultKeyRing>();
        services.AddSingleton<SecretSealer>();
        services.AddSingleton<VaultKeyRotator>();
        services.AddSingleton(sp => ConnectionStoreFactory.Create(
            sp.GetRequiredService<IOptions<StoreOptions>>().Value,
            sp.GetRequiredService<DataPaths>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        // Portal links and sessions live in the same store, behind their own small interface.
        services.AddSingleton(sp => (IPortalStore)sp.GetRequiredService<IConnectionStore>());
        services.AddHostedService<VaultInitializer>();
        return services;
    }
}
