using Microsoft.Extensions.Options;

namespace TokenProxy.Events;

internal static class EventsServiceCollectionExtensions
{
    /// <summary>The event log's settings and background work; the log itself is the store's (<see cref="IEventStore"/>, registered by the vault).</summary>
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>();
        services.AddSingleton<EventLogMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<EventLogMaintenance>());
        return services;
    }
}
