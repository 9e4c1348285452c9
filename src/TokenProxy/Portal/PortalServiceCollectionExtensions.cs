using Microsoft.Extensions.Options;

namespace TokenProxy.Portal;

internal static class PortalServiceCollectionExtensions
{
    public static IServiceCollection AddPortal(this IServiceCollection services)
    {
        services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PortalOptions>, PortalOptionsValidator>();
        services.AddPortalRateLimit();
        return services;
    }
}
