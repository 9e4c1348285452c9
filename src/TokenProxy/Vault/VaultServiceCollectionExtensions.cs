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
        // The event log lives next to the connections, so an event commits with its change (docs/architecture.md, §10).
        services.AddSingleton(sp => new OpenedStore(ConnectionStoreFactory.Create(
            sp.GetRequiredService<IOptions<StoreOptions>>().Value,
            sp.GetRequiredService<DataPaths>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton(sp => sp.GetRequiredService<OpenedStore>().Store);
        services.AddSingleton(sp => (Events.IEventStore)sp.GetRequiredService<OpenedStore>().Store);
        services.AddSingleton<Events.IEventLog>(sp => sp.GetRequiredService<Events.IEventStore>());
        services.AddHostedService<VaultInitializer>();
        return services;
    }
}
