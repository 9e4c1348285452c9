using System.ComponentModel.DataAnnotations;

namespace TokenProxy.Events;

/// <summary>
/// <c>TokenProxy:Events</c>: how long the event log keeps events (docs/architecture.md, §11). How early a lapsing token is
/// told is <c>Refresh:ExpiringWarning</c>. <see cref="EventsOptionsValidator"/> names every setting outside its range at startup.
/// </summary>
internal sealed class EventsOptions
{
    public const string SectionName = "TokenProxy:Events";

    /// <summary>Events older than this many days are deleted in the background.</summary>
    /// <value>Default: 90; 1 to 3650.</value>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;
}
