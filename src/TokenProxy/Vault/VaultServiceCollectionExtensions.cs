using Microsoft.Extensions.Options;
using TokenProxy.Vault.Keychains;

namespace TokenProxy.Vault;

internal static class VaultServiceCollectionExtensions
{

    public static IServiceCollection AddVault(this IServiceCollection services)
    {
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>();
        services.AddOptions<VaultOptions>().BindConfiguration(VaultOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VaultOptions>, VaultOptionsValidator>();
        services.AddOptions<DataDirectoryOptions>().BindConfiguration(DataDirectoryOptions.SectionName);
        services.AddSingleton<DataPaths>();
        services.AddSingleton<VaultKeyRing>();
        services.AddSingleton<SecretSealer>();
        services.AddSingleton<VaultKeyRotator>();
        // Built only: nothing runs until the key source is the keychain and the vault reads it.
        services.AddSingleton(sp => SystemKeychain.For(SystemKeychain.NameFor(
            sp.GetRequiredService<IOptions<VaultOptions>>().Value, sp.GetRequiredService<IOptions<StoreOptions>>().Value, sp.GetRequiredService<DataPaths>())));
        // The event log lives next to the connections, so an event commits with its change (docs/architecture.md §11).
        services.AddSingleton(sp => new OpenedStore(ConnectionStoreFactory.Create(
            sp.GetRequiredService<IOptions<StoreOptions>>().Value,
            sp.GetRequiredService<DataPaths>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton(sp => sp.GetRequiredService<OpenedStore>().Store);
        services.AddSingleton(sp => (Events.IEventStore)sp.GetRequiredService<OpenedStore>().Store);
        services.AddSingleton<Events.IEventLog>(sp => sp.GetRequiredService<Events.IEventStore>());
        // Portal links and sessions live in the same store, behind their own small interface.
        services.AddSingleton(sp => (IPortalStore)sp.GetRequiredService<IConnectionStore>());
        // Webhooks and their outbox too (docs/architecture.md §12).
        services.AddSingleton(sp => (IWebhookStore)sp.GetRequiredService<OpenedStore>().Store);
        // Stored providers too: the catalog serves them over the configuration files' entries (docs/architecture.md §13).
        services.AddSingleton(sp => (IProviderStore)sp.GetRequiredService<OpenedStore>().Store);
        services.AddSingleton<StoredProviders>();
        services.AddHostedService<VaultInitializer>();
        // After the vault: it records the keys the initializer loaded (a shared store only).
        services.AddHostedService<VaultKeyHolding>();
        services.AddHostedService(sp => sp.GetRequiredService<StoredProviders>());
        return services;
    }
}
