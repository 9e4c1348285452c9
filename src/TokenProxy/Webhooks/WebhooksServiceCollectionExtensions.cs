using Microsoft.Extensions.Options;

namespace TokenProxy.Webhooks;

internal static class WebhooksServiceCollectionExtensions
{
    /// <summary>The outbox's worker as a hosted service; one delegate, so <see cref="WithoutSending"/> finds its registration.</summary>
    private static readonly Func<IServiceProvider, WebhookDispatcher> Sending = sp => sp.GetRequiredService<WebhookDispatcher>();

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
        services.AddHostedService(Sending);
        return services;
    }

    /// <summary>
    /// No sending: the configured webhooks are still written at start (so a new one reads the log from here, events
    /// appended now included), and the events wait in the log for a proxy, which sends them when it runs. For the server
    /// a command starts for itself, which lives for one command and must not spend its time, or its stop, on receivers.
    /// </summary>
    public static IServiceCollection WithoutSending(this IServiceCollection services)
    {
        foreach (var worker in services.Where(d => d.ServiceType == typeof(IHostedService) && ReferenceEquals(d.ImplementationFactory, Sending)).ToList())
        {
            services.Remove(worker);
        }

        services.AddHostedService(sp => new PrepareOnly(sp.GetRequiredService<WebhookDispatcher>()));
        return services;
    }

    private sealed class PrepareOnly(WebhookDispatcher dispatcher) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => dispatcher.TryPrepareAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
