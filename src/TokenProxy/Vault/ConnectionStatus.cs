namespace TokenProxy.Vault;

/// <summary>Where a connection stands. Stored and shown in lower case.</summary>
internal enum ConnectionStatus
{
    /// <summary>An authorization was started and has not finished.</summary>
    Pending,

    /// <summary>Holds a token the proxy can use (or refresh).</summary>
    Active,

    /// <summary>The provider rejected the refresh or the token: "Reconnection needed."</summary>
    Error,

    /// <summary>Revoked by a person; secrets deleted.</summary>
    Revoked,
}

internal static class ConnectionStatusNames
{
    public static string ToWire(this ConnectionStatus status) => status switch
    {
        ConnectionStatus.Pending => "pending",
        ConnectionStatus.Active => "active",
        ConnectionStatus.Error => "error",
        ConnectionStatus.Revoked => "revoked",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static ConnectionStatus Parse(string text) => text switch
    {
        "pending" => ConnectionStatus.Pending,
        "active" => ConnectionStatus.Active,
        "error" => ConnectionStatus.Error,
        "revoked" => ConnectionStatus.Revoked,
        _ => throw new InvalidDataException($"Unknown connection status '{text}' in the store."),
    };

    public static string Describe(this ConnectionStatus status) => status switch
    {
        ConnectionStatus.Pending => "Waiting for authorization to finish.",
        ConnectionStatus.Active => "Connected.",
        ConnectionStatus.Error => "Reconnection needed.",
        ConnectionStatus.Revoked => "Revoked. Reconnect to use it again.",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
