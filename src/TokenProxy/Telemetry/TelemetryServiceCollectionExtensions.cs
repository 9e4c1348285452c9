namespace TokenProxy.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<EventFeed>();
        // First of the hosted services: its providers listen before anything else starts.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TelemetryService>());
        return services;
    }
}
