using Microsoft.Extensions.Options;

namespace TokenProxy.Providers;

internal static class ProvidersServiceCollectionExtensions
{
    public static IServiceCollection AddProviders(this IServiceCollection services)
    {
        services.AddOptions<ProvidersOptions>().BindConfiguration(ProvidersOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                options.BindOneValueLists(configuration.GetSection(ProvidersOptions.SectionName));
                options.KeepEmptyParameters(configuration.GetSection(ProvidersOptions.SectionName));
            })
            .ValidateOnStart();
        services.AddSingleton<ProvidersOptionsValidator>();
        services.AddSingleton<IValidateOptions<ProvidersOptions>>(sp => sp.GetRequiredService<ProvidersOptionsValidator>());
        services.AddSingleton<PresetLibrary>();
        services.AddSingleton<ProviderCatalog>();
        return services;
    }
}
