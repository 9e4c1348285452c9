namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore
{
    private const string RequestColumns = StoredConnectRequests.Columns;

    public Task<bool> TryInsertConnectRequestAsync(ConnectRequestRow request, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        // The workspace is checked in the insert itself, as for connections: one deleted meanwhile inserts nothing.
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO connect_requests ({RequestColumns})
            SELECT @id, @token_hash, @workspace, @provider, @label, @scopes, @end_user_id, @end_user_display_name, @end_user_email, @parameters,
                   @connection_id, @message, @status, @created_at, @expires_at, NULL, NULL, NULL
            WHERE EXISTS (SELECT 1 FROM workspaces WHERE id = @workspace);
            """);
        var p = command.Parameters;
        p.AddWithValue("id", request.Id);
        p.AddWithValue("token_hash", request.TokenHash);
        p.AddWithValue("workspace", request.Workspace);
        p.AddWithValue("provider", request.Provider);
        p.Add(Text("label", request.Label));
        p.Add(Text("scopes", StoredConnectRequests.ScopesText(request.Scopes)));
        p.Add(Text("end_user_id", request.EndUser?.Id));
        p.Add(Text("end_user_display_name", request.EndUser?.DisplayName));
        p.Add(Text("end_user_email", request.EndUser?.Email));
        p.Add(Text("parameters", StoredRows.ParametersJson(request.Parameters)));
        p.Add(Text("connection_id", request.ConnectionId));
        p.Add(Text("message", request.Message));
        p.AddWithValue("status", request.Status.ToWire());
        p.Add(Time("created_at", request.CreatedAt));
        p.Add(Time("expires_at", request.ExpiresAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<ConnectRequestRow?> GetConnectRequestAsync(string id, CancellationToken cancellationToken) =>
        ReadRequestAsync($"SELECT {RequestColumns} FROM connect_requests WHERE id = @key;", id, cancellationToken);

    public Task<ConnectRequestRow?> FindConnectRequestAsync(string tokenHash, CancellationToken cancellationToken) =>
        ReadRequestAsync($"SELECT {RequestColumns} FROM connect_requests WHERE token_hash = @key;", tokenHash, cancellationToken);

    public Task<IReadOnlyList<ConnectRequestRow>> ListConnectRequestsAsync(string? workspace, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {RequestColumns} FROM connect_requests WHERE @workspace::text IS NULL OR workspace = @workspace ORDER BY created_at DESC, id;");
        command.Parameters.Add(Text("workspace", workspace));
        return await StoredConnectRequests.ReadAllAsync(command, TimeColumn, cancellationToken);
    });

    public Task<ConnectRequestRow?> TryCancelConnectRequestAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand($"""
            UPDATE connect_requests SET status = 'cancelled', cancelled_at = @now
            WHERE id = @id AND status = 'outstanding' RETURNING {RequestColumns};
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(Time("now", now));
        return await StoredConnectRequests.ReadOneAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryClaimConnectRequestAsync(string id, string connectionId, DateTimeOffset now, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        // One statement: the row lock it takes makes a second claim wait, re-check status and find it completed.
        await using var command = _dataSource.CreateCommand("""
            UPDATE connect_requests SET status = 'completed', completed_at = @now, result_connection_id = @connection_id
            WHERE id = @id AND status = 'outstanding' AND expires_at > @now;
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("connection_id", connectionId);
        command.Parameters.Add(Time("now", now));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task ReleaseConnectRequestAsync(string id, string connectionId, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE connect_requests SET status = 'outstanding', completed_at = NULL, result_connection_id = NULL
            WHERE id = @id AND status = 'completed' AND result_connection_id = @connection_id;
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("connection_id", connectionId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    });

    private Task<ConnectRequestRow?> ReadRequestAsync(string sql, string key, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("key", key);
        return await StoredConnectRequests.ReadOneAsync(command, TimeColumn, cancellationToken);
    });
}
