namespace TokenProxy.Vault;

/// <summary>Vault log messages: event ids 1200–1299. Connection ids and key ids only, never key material or tokens.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Vault ready: {Store}, key from {KeySource} (key id {KeyId}), {Connections} connection(s).")]
    public static partial void VaultReady(ILogger logger, string store, string keySource, string keyId, int connections);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Created a new vault key at {KeyFile} (key id {KeyId}). Back it up: without it, stored tokens cannot be opened.")]
    public static partial void KeyCreated(ILogger logger, string keyFile, string keyId);
}
