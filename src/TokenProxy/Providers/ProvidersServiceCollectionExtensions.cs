namespace TokenProxy.Providers;

internal static class ProvidersServiceCollectionExtensions
{
    public static IServiceCollection AddProviders(this IServiceCollection services)
    {
        services.AddSingleton<PresetLibrary>();
        services.AddSingleton<ProviderCatalog>();
        return services;
    }
}
