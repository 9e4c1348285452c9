using Microsoft.Extensions.Options;

namespace TokenProxy.Webhooks;

internal static class WebhooksServiceCollectionExtensions
{
    /// <summary>Webhooks (docs/architecture.md §12): their options, the catalog, the egress-checked client and the outbox's worker.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhooksOptions>()
            .BindConfiguration(WebhooksOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) => options.BindEntries(configuration.GetSection(WebhooksOptions.SectionName)))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhooksOptions>, WebhooksOptionsValidator>();
        services.AddSingleton(new WebhookResolver());
        services.AddSingleton<WebhookHttp>();
        services.AddSingleton<WebhookInstrumentation>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookCatalog>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
