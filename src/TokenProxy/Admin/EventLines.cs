using System.Globalization;
using System.Text.Json.Nodes;
using TokenProxy.Events;

namespace TokenProxy.Admin;

/// <summary>How the admin pages show an event of the log: its time and, after its type, its details on one line.</summary>
internal static class EventLines
{
    /// <summary>How many events the connections page and a connection's page show; the API pages through the rest.</summary>
    public const int Shown = 20;

    public static string Time(StoredEvent e) => e.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Iso(StoredEvent e) => e.CreatedAt.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The data's values as <c>name: value</c> pairs (the error code and description, the revocation result, …).</summary>
    public static string Details(StoredEvent e) =>
        string.Join(" · ", e.Data.Where(p => p.Value is JsonValue).Select(p => $"{p.Key}: {p.Value}"));
}
