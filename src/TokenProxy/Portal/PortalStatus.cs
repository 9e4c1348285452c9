using TokenProxy.Vault;

namespace TokenProxy.Portal;

/// <summary>How the portal describes a connection's status to the workspace's people, in their words rather than the operator's.</summary>
internal static class PortalStatus
{
    public static string? Describe(ConnectionStatus status) => status switch
    {
        ConnectionStatus.Error => "Reconnection needed.",
        ConnectionStatus.Pending => "Waiting for the first sync.",
        ConnectionStatus.Revoked => "This connection was revoked. Reconnect to keep workflows running.",
        _ => null,
    };
}
