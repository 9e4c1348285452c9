namespace TokenProxy.Vault;

/// <summary>
/// Persistence of connect requests (docs/architecture.md §9), next to the connections in the same store. Like every
/// store operation, each throws <see cref="StoreUnavailableException"/> when the store cannot be used.
/// </summary>
internal interface IConnectRequestStore
{
    /// <summary>Inserts a new request; false when its workspace does not exist (checked in the same statement).</summary>
    Task<bool> TryInsertConnectRequestAsync(ConnectRequestRow request, CancellationToken cancellationToken);

    Task<ConnectRequestRow?> GetConnectRequestAsync(string id, CancellationToken cancellationToken);

    /// <summary>The request whose link token hashes to <paramref name="tokenHash"/>, if any.</summary>
    Task<ConnectRequestRow?> FindConnectRequestAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Every request, or those of <paramref name="workspace"/>, newest first.</summary>
    Task<IReadOnlyList<ConnectRequestRow>> ListConnectRequestsAsync(string? workspace, CancellationToken cancellationToken);

    /// <summary>Outstanding (or expired) → cancelled; the row as it then is, or null when it was not outstanding or is gone.</summary>
    Task<ConnectRequestRow?> TryCancelConnectRequestAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The claim: outstanding and not expired at <paramref name="now"/> → completed by <paramref name="connectionId"/>, in
    /// one compare-and-swap statement. Of two callbacks for one request, exactly one gets true.
    /// </summary>
    Task<bool> TryClaimConnectRequestAsync(string id, string connectionId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Undoes a claim by <paramref name="connectionId"/> whose tokens could not be stored: completed → outstanding.</summary>
    Task ReleaseConnectRequestAsync(string id, string connectionId, CancellationToken cancellationToken);
}
