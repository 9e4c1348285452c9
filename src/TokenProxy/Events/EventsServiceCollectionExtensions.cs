using Microsoft.Extensions.Options;

namespace TokenProxy.Events;

internal static class EventsServiceCollectionExtensions
{
    /// <summary>
    /// The event log's settings. The log itself is the store's (<see cref="IEventStore"/>, registered by the vault); its
    /// background passes are the token folder's (they read connections).
    /// </summary>
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>();
        return services;
    }
}
