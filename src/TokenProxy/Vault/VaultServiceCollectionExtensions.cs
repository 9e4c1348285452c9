using Microsoft.Extensions.Options;
using TokenProxy.Hosting;

namespace TokenProxy.Vault;

internal static class VaultServiceCollectionExtensions
{
    public static IServiceCollection AddVault(this IServiceCollection services)
    {
        services.AddSingleton<VaultKeyRing>();
        services.AddSingleton<SecretSealer>();
        services.AddSingleton<VaultKeyRotator>();
        services.AddSingleton(sp => ConnectionStoreFactory.Create(
            sp.GetRequiredService<IOptions<TokenProxyOptions>>().Value,
            sp.GetRequiredService<DataPaths>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService<VaultInitializer>();
        return services;
    }
}
