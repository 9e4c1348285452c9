using System.ComponentModel.DataAnnotations;

namespace TokenProxy.Events;

/// <summary>
/// <c>TokenProxy:Events</c>: how long the event log keeps events and how early it warns of a lapsing token
/// (docs/architecture.md, §10). <see cref="EventsOptionsValidator"/> names every setting outside its range at startup.
/// </summary>
internal sealed class EventsOptions
{
    public const string SectionName = "TokenProxy:Events";

    /// <summary>Events older than this many days are deleted in the background.</summary>
    /// <value>Default: 90; 1 to 3650.</value>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>A refresh token, or an imported token that cannot be renewed, lapsing within this is told once (<c>connection.expiring</c>).</summary>
    /// <value>Default: 7 days; 1 hour to 365 days.</value>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan ExpiringWithin { get; set; } = TimeSpan.FromDays(7);
}
