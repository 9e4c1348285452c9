namespace TokenProxy.Events;

/// <summary>The event types (<see cref="StoredEvent.Type"/>) and actors (<see cref="StoredEvent.Actor"/>) of the event log.</summary>
internal static class EventTypes
{
    public const string ConnectionCreated = "connection.created";
    public const string ConnectionReconnected = "connection.reconnected";
    public const string ConnectionRefreshed = "connection.refreshed";
    public const string ConnectionError = "connection.error";
    public const string ConnectionRecovered = "connection.recovered";
    public const string ConnectionRevoked = "connection.revoked";
    public const string ConnectionDeleted = "connection.deleted";
    public const string ConnectionExpiring = "connection.expiring";
    public const string ConnectionScopesRequired = "connection.scopes_required";
    public const string ConnectRequestCreated = "connect_request.created";
    public const string ConnectRequestCompleted = "connect_request.completed";
    public const string ConnectRequestCancelled = "connect_request.cancelled";
    public const string ConnectRequestExpired = "connect_request.expired";
    public const string VaultKeyRotated = "vault.key_rotated";
    public const string ProviderUnavailable = "provider.unavailable";
    public const string ProviderAvailable = "provider.available";
    public const string ProviderMisconfigured = "provider.misconfigured";
    public const string ProviderConfigured = "provider.configured";

    /// <summary>Every type, for validating a webhook's <c>Events</c> list.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        ConnectionCreated, ConnectionReconnected, ConnectionRefreshed, ConnectionError, ConnectionRecovered, ConnectionRevoked,
        ConnectionDeleted, ConnectionExpiring, ConnectionScopesRequired, ConnectRequestCreated, ConnectRequestCompleted, ConnectRequestCancelled,
        ConnectRequestExpired, VaultKeyRotated, ProviderUnavailable, ProviderAvailable, ProviderMisconfigured, ProviderConfigured,
    };

    /// <summary>The types whose events belong to no workspace (a provider's, the vault's): a workspace's webhook never gets them.</summary>
    public static readonly IReadOnlySet<string> WithoutWorkspace = new HashSet<string>(StringComparer.Ordinal)
    {
        VaultKeyRotated, ProviderUnavailable, ProviderAvailable, ProviderMisconfigured, ProviderConfigured,
    };

    public const string ActorAdmin = "admin";
    public const string ActorPortal = "portal";
    public const string ActorBackground = "background";
    public const string ActorApp = "app";
}
