namespace TokenProxy.Vault;

/// <summary>
/// Who brought a connection in. A workspace's people see only the connections they made themselves (a connect request
/// they answered); the operator's own connects and imports stay the operator's. Stored in lower case.
/// </summary>
internal enum ConnectionOrigin
{
    /// <summary>Connected or imported by the operator through the admin surface (every connection made before origins existed).</summary>
    Operator,

    /// <summary>Connected by one of the workspace's people, from a connect request the operator sent them.</summary>
    ConnectRequest,
}

internal static class ConnectionOriginNames
{
    public static string ToWire(this ConnectionOrigin origin) => origin switch
    {
        ConnectionOrigin.Operator => "operator",
        ConnectionOrigin.ConnectRequest => "connect_request",
        _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, null),
    };

    public static ConnectionOrigin Parse(string value) => value switch
    {
        "operator" => ConnectionOrigin.Operator,
        "connect_request" => ConnectionOrigin.ConnectRequest,
        _ => throw new InvalidDataException($"Unknown connection origin '{value}' in the store."),
    };
}
