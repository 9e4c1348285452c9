using Microsoft.Extensions.Options;

namespace TokenProxy.Admin;

internal static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<AdminAccessFilter>();
        return services;
    }

    /// <summary>Everything under <c>/admin</c>, behind <see cref="AdminAccessFilter"/>.</summary>
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin")
            .AddEndpointFilter(endpoints.ServiceProvider.GetRequiredService<AdminAccessFilter>());
        admin.MapAdminLogin();
        admin.MapAdminPages();
        admin.MapConnectEndpoints();
        admin.MapConnectionsApi();
        return endpoints;
    }
}
