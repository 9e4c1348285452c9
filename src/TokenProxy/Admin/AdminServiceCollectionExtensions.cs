using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace TokenProxy.Admin;

internal static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<AdminAccessFilter>();
        services.AddSingleton<AdminTokenGuesses>();
        services.AddSingleton<AdminInstrumentation>();
        services.AddSingleton<ConnectionRevoker>();
        services.AddSingleton<ConnectionTester>();
        // A key given twice is refused, not the last one taken: which of two labels or tokens a body meant is for its
        // sender to say, and other parsers take the first (RFC 7493 §2.3). Every JSON body under /admin is read so.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.AllowDuplicateProperties = false);

        // What RazorComponentResult renders with, for static server rendering only: no interactive render mode,
        // so no circuit, no WebSocket and no Blazor script.
        services.AddRazorComponents();
        // That registration brings antiforgery, and with it data protection, which keeps a key ring in the user's
        // profile and creates a key there at startup (warning that it is unencrypted). No page issues an antiforgery
        // token: state changes are guarded by AdminAccessFilter's custom header, the login form by Sec-Fetch-Site.
        // So its keys stay in memory, and none is made at startup.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        var keyRingAtStartup = services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService");
        if (keyRingAtStartup is not null)
        {
            services.Remove(keyRingAtStartup);
        }

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
        admin.MapWorkspacesApi();
        admin.MapConnectRequestsApi();
        admin.MapWebhooksApi();
        // Any other path under /admin is the admin surface's own 404, not the data plane's answer for a provider "admin".
        admin.Map("/{**rest}", AdminPages.NotFound);
        return endpoints;
    }
}
