using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>A connection status as a coloured badge with its description next to it.</summary>
internal static class StatusBadge
{
    public static string Render(ConnectionStatus status) =>
        $"""<span class="badge badge-{status.ToWire()}">{status.ToWire()}</span> <span class="status-description">{PageLayout.Html(status.Describe())}</span>""";
}
