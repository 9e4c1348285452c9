namespace TokenProxy.Vault;

/// <summary>
/// A connect request as stored: what the person who opens its link is asked to connect, and where the connection lands.
/// The link's token is never stored, only its SHA-256 (<see cref="TokenHash"/>): a copy of the database opens no link.
/// </summary>
internal sealed record ConnectRequestRow
{
    public required string Id { get; init; }

    /// <summary>Lower-case hex SHA-256 of the link's token (256 random bits).</summary>
    public required string TokenHash { get; init; }

    public required string Workspace { get; init; }

    public required string Provider { get; init; }

    /// <summary>The label of the connection to make; null: "default".</summary>
    public string? Label { get; init; }

    /// <summary>The scopes to ask for; null: the provider's.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    public ConnectionEndUser? EndUser { get; init; }

    /// <summary>Values of the provider's given parameters set by the operator; the person is asked for the others.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = StoredRows.NoParameters;

    /// <summary>The connection to reconnect (keeping its id); null: a connection by <see cref="Label"/>.</summary>
    public string? ConnectionId { get; init; }

    /// <summary>The operator's words to the person, shown on the link's page.</summary>
    public string? Message { get; init; }

    /// <summary>The stored status: outstanding, completed or cancelled (see <see cref="StatusAt"/>).</summary>
    public required ConnectRequestStatus Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public DateTimeOffset? CancelledAt { get; init; }

    /// <summary>The connection that got its tokens through the link, once completed.</summary>
    public string? ResultConnectionId { get; init; }

    /// <summary>The status as of <paramref name="now"/>: an outstanding request past its expiry is expired.</summary>
    public ConnectRequestStatus StatusAt(DateTimeOffset now) =>
        Status == ConnectRequestStatus.Outstanding && now >= ExpiresAt ? ConnectRequestStatus.Expired : Status;

    /// <summary>The scope the connection lands in.</summary>
    public ConnectionScope Scope => new(Workspace, EndUser?.Id);

    /// <summary>The label of the connection a request without <see cref="ConnectionId"/> creates: <c>default</c> when none is given, as for any connect.</summary>
    public string EffectiveLabel => Label ?? "default";
}
