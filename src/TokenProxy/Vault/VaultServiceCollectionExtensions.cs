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
        // Both stores keep the event log next to the connections, so an event commits with its change.
        services.AddSingleton(sp => (Events.IEventStore)sp.GetRequiredService<IConnectionStore>());
        services.AddSingleton<Events.IEventLog>(sp => sp.GetRequiredService<Events.IEventStore>());
        services.AddHostedService<VaultInitializer>();
        return services;
    }
}
