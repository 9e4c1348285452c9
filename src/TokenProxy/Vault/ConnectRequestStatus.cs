namespace TokenProxy.Vault;

/// <summary>
/// Where a connect request stands. Only <see cref="Outstanding"/>, <see cref="Completed"/> and <see cref="Cancelled"/> are
/// stored; <see cref="Expired"/> is an outstanding request read after its <c>expires_at</c>, so it shows the moment it
/// passes, without a sweep (docs/architecture.md §9).
/// </summary>
internal enum ConnectRequestStatus
{
    /// <summary>Sent, not yet answered: its link can be opened.</summary>
    Outstanding,

    /// <summary>Answered: a connection got its tokens through the link, which is used up.</summary>
    Completed,

    /// <summary>Withdrawn by the operator.</summary>
    Cancelled,

    /// <summary>Not answered before it expired.</summary>
    Expired,
}

internal static class ConnectRequestStatusNames
{
    public static string ToWire(this ConnectRequestStatus status) => status switch
    {
        ConnectRequestStatus.Outstanding => "outstanding",
        ConnectRequestStatus.Completed => "completed",
        ConnectRequestStatus.Cancelled => "cancelled",
        ConnectRequestStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string? value, out ConnectRequestStatus status)
    {
        (var known, status) = value switch
        {
            "outstanding" => (true, ConnectRequestStatus.Outstanding),
            "completed" => (true, ConnectRequestStatus.Completed),
            "cancelled" => (true, ConnectRequestStatus.Cancelled),
            "expired" => (true, ConnectRequestStatus.Expired),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>Reads a stored status: expired is never stored.</summary>
    public static ConnectRequestStatus Parse(string value) =>
        TryParse(value, out var status) && status != ConnectRequestStatus.Expired
            ? status
            : throw new InvalidDataException($"Unknown connect request status '{value}' in the store.");
}
