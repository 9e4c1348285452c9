using Microsoft.Extensions.Options;

namespace TokenProxy.Portal;

internal static class PortalServiceCollectionExtensions
{
    public static IServiceCollection AddPortal(this IServiceCollection services)
    {
        services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PortalOptions>, PortalOptionsValidator>();
        services.AddPortalRateLimit();
        services.AddSingleton<PortalSessions>();
        services.AddSingleton<PortalAccessFilter>();
        // IOutstandingRequests comes from the Links folder (connect requests), registered by AddLinks.
        return services;
    }

    /// <summary>Everything under <c>/portal</c> behind <see cref="PortalAccessFilter"/> and rate-limited, and the operator's portal endpoints under <c>/admin</c>.</summary>
    public static IEndpointRouteBuilder MapPortal(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(PortalSessions.CookiePath)
            .AddEndpointFilter(endpoints.ServiceProvider.GetRequiredService<PortalAccessFilter>())
            .RequireRateLimiting(PortalRateLimit.PolicyName)
            .MapPortalEndpoints();
        endpoints.MapPortalLinksApi();
        return endpoints;
    }
}
