namespace TokenProxy.Vault;

/// <summary>Vault log messages: event ids 1200–1299. Connection ids and key ids only, never key material or tokens.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Vault ready: {Store}, key from {KeySource} (key id {KeyId}), {Connections} connection(s).")]
    public static partial void VaultReady(ILogger logger, string store, string keySource, string keyId, int connections);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Created a new vault key at {KeyFile} (key id {KeyId}). Back it up: without it, stored tokens cannot be opened.")]
    public static partial void KeyCreated(ILogger logger, string keyFile, string keyId);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning,
        Message = "Created a new vault key in {Keychain} (key id {KeyId}). Back it up (TokenProxy vault move-key --to file, then copy the file somewhere safe): without it, stored tokens cannot be opened.")]
    public static partial void KeyCreatedInKeychain(ILogger logger, string keychain, string keyId);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning,
        Message = "Every connection is re-sealed under the new vault key, but the old key id {KeyIds} stays in the key list: {Reason} The next rotation or start retires it.")]
    public static partial void KeysNotRetired(ILogger logger, string keyIds, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, EventName = "StoreUnavailable",
        Message = "Store unavailable: {Store} cannot be used ({Reason}). Requests that need it get 503 store_unavailable until it is back; cached credentials keep serving while valid.")]
    public static partial void StoreUnavailable(ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, EventName = "StoreAvailable",
        Message = "Store available again: {Store} after {DurationSeconds:F1} s.")]
    public static partial void StoreAvailable(ILogger logger, string store, double durationSeconds);

    // 1210–1229: the PostgreSQL store.
    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Migrated the schema of {Store} from version {From} to {To}.")]
    public static partial void SchemaMigrated(ILogger logger, string store, int from, int to);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Information, Message = "Listening for connection changes from other instances on {Store}, channel {Channel}.")]
    public static partial void Listening(ILogger logger, string store, string channel);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Warning,
        Message = "Lost the notification connection to {Store} ({Reason}); cached credentials keep serving, unconfirmed, while it reconnects.")]
    public static partial void ListenerLost(ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Information,
        Message = "Listening again for connection changes on {Store}; cached credentials are checked against it for changes missed meanwhile.")]
    public static partial void ListenerReconnected(ILogger logger, string store);

    [LoggerMessage(EventId = 1214, Level = LogLevel.Warning,
        Message = "Gave up waiting for the refresh lock of {ConnectionId} after {Seconds} s: {Reason}.")]
    public static partial void RefreshLockTimedOut(ILogger logger, string connectionId, long seconds, string reason);

    [LoggerMessage(EventId = 1215, Level = LogLevel.Warning,
        Message = "The refresh lock of {ConnectionId} was lost before the refresh finished (its database connection broke: {Reason}); the row stayed consistent through compare-and-swap.")]
    public static partial void RefreshLockLost(ILogger logger, string connectionId, string reason);

    [LoggerMessage(EventId = 1230, Level = LogLevel.Error, EventName = "StoredProviderSecretUnreadable",
        Message = "The client secret of stored provider {Provider} cannot be opened with the vault key; the provider is served without it. Write it again through PUT /admin/api/providers/{Provider}.")]
    public static partial void StoredProviderSecretUnreadable(ILogger logger, string provider);

    [LoggerMessage(EventId = 1231, Level = LogLevel.Error, EventName = "StoredProvidersRefused",
        Message = "The stored providers were not applied; the running providers are kept. Problem: {Problem}")]
    public static partial void StoredProvidersRefused(ILogger logger, string problem);

    [LoggerMessage(EventId = 1232, Level = LogLevel.Warning, EventName = "StoredProvidersUnread",
        Message = "The stored providers could not be read from {Store}; the running providers are kept until the next change.")]
    public static partial void StoredProvidersUnread(ILogger logger, string store, Exception exception);

    [LoggerMessage(EventId = 1233, Level = LogLevel.Information, EventName = "StoredProviderWritten",
        Message = "Stored provider {Provider} {Change}.")]
    public static partial void StoredProviderWritten(ILogger logger, string provider, string change);
}
