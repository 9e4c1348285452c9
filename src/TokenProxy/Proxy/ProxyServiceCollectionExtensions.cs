using Microsoft.Extensions.Options;
using TokenProxy.Providers;

namespace TokenProxy.Proxy;

internal static class ProxyServiceCollectionExtensions
{
    public static IServiceCollection AddProxy(this IServiceCollection services)
    {
        services.AddOptions<ClientAccessOptions>().BindConfiguration(ClientAccessOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClientAccessOptions>, ClientAccessOptionsValidator>();
        services.AddHttpForwarder();
        services.AddSingleton<ProxyInstrumentation>();
        // Guards are per API base; a provider changed at runtime may have left some nobody should reach any more.
        services.AddSingleton(sp =>
        {
            var invoker = ActivatorUtilities.CreateInstance<ForwarderInvoker>(sp);
            sp.GetRequiredService<ProviderCatalog>().Changed += _ => invoker.Forget();
            return invoker;
        });
        services.AddSingleton<ClientPolicy>();
        services.AddSingleton<ProxyEndpoint>();
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(ReceivedConnectionHeader.Configure);
        services.AddSingleton<IStartupFilter, ReceivedConnectionHeader>();
        return services;
    }

    /// <summary>The data plane: every path not taken by a more specific endpoint is <c>/{provider}/{**path}</c>.</summary>
    public static IEndpointRouteBuilder MapProxy(this IEndpointRouteBuilder endpoints)
    {
        var handler = endpoints.ServiceProvider.GetRequiredService<ProxyEndpoint>();
        // The handler is the endpoint's metadata too: the error middleware recognises the data plane by it.
        endpoints.Map("/{provider}/{**path}", handler.HandleAsync).WithDisplayName("TokenProxy data plane").WithMetadata(handler);
        // A path whose first segment is empty ("//acme/items": a base URL ending in '/' joined with "/acme/items") matches
        // no route parameter: it names no provider, and is answered as every unknown provider is.
        // CONNECT in authority form ("CONNECT host:443") has no path either: refused as on a provider's path.
        endpoints.MapFallback("{**path}", static context => (ProxyProblems.IsRefused(context.Request.Method)
            ? ProxyProblems.MethodNotAllowed(context.Request.Method)
            : ProxyProblems.UnknownProvider(string.Empty)).ExecuteAsync(context));
        return endpoints;
    }
}
