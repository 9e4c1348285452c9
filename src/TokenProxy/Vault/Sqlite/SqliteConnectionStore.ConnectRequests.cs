namespace TokenProxy.Vault.Sqlite;

internal sealed partial class SqliteConnectionStore
{
    private const string RequestColumns = StoredConnectRequests.Columns;

    public Task<bool> TryInsertConnectRequestAsync(ConnectRequestRow request, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The workspace is checked in the insert itself, as for connections: one deleted meanwhile inserts nothing.
        command.CommandText = $"""
            INSERT INTO connect_requests ({RequestColumns})
            SELECT $id, $token_hash, $workspace, $provider, $label, $scopes, $end_user_id, $end_user_display_name, $end_user_email, $parameters,
                   $connection_id, $message, $status, $created_at, $expires_at, NULL, NULL, NULL
            WHERE EXISTS (SELECT 1 FROM workspaces WHERE id = $workspace);
            """;
        var p = command.Parameters;
        p.AddWithValue("$id", request.Id);
        p.AddWithValue("$token_hash", request.TokenHash);
        p.AddWithValue("$workspace", request.Workspace);
        p.AddWithValue("$provider", request.Provider);
        p.AddWithValue("$label", (object?)request.Label ?? DBNull.Value);
        p.AddWithValue("$scopes", (object?)StoredConnectRequests.ScopesText(request.Scopes) ?? DBNull.Value);
        p.AddWithValue("$end_user_id", (object?)request.EndUser?.Id ?? DBNull.Value);
        p.AddWithValue("$end_user_display_name", (object?)request.EndUser?.DisplayName ?? DBNull.Value);
        p.AddWithValue("$end_user_email", (object?)request.EndUser?.Email ?? DBNull.Value);
        p.AddWithValue("$parameters", (object?)StoredRows.ParametersJson(request.Parameters) ?? DBNull.Value);
        p.AddWithValue("$connection_id", (object?)request.ConnectionId ?? DBNull.Value);
        p.AddWithValue("$message", (object?)request.Message ?? DBNull.Value);
        p.AddWithValue("$status", request.Status.ToWire());
        p.AddWithValue("$created_at", request.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$expires_at", request.ExpiresAt.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<ConnectRequestRow?> GetConnectRequestAsync(string id, CancellationToken cancellationToken) =>
        ReadRequestAsync($"SELECT {RequestColumns} FROM connect_requests WHERE id = $key;", id, cancellationToken);

    public Task<ConnectRequestRow?> FindConnectRequestAsync(string tokenHash, CancellationToken cancellationToken) =>
        ReadRequestAsync($"SELECT {RequestColumns} FROM connect_requests WHERE token_hash = $key;", tokenHash, cancellationToken);

    public Task<IReadOnlyList<ConnectRequestRow>> ListConnectRequestsAsync(string? workspace, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {RequestColumns} FROM connect_requests WHERE $workspace IS NULL OR workspace = $workspace ORDER BY created_at DESC, id;";
        command.Parameters.AddWithValue("$workspace", (object?)workspace ?? DBNull.Value);
        return await StoredConnectRequests.ReadAllAsync(command, TimeColumn, cancellationToken);
    });

    public Task<ConnectRequestRow?> TryCancelConnectRequestAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE connect_requests SET status = 'cancelled', cancelled_at = $now
            WHERE id = $id AND status = 'outstanding' RETURNING {RequestColumns};
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return await StoredConnectRequests.ReadOneAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryClaimConnectRequestAsync(string id, string connectionId, DateTimeOffset now, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE connect_requests SET status = 'completed', completed_at = $now, result_connection_id = $connection_id
            WHERE id = $id AND status = 'outstanding' AND expires_at > $now;
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$connection_id", connectionId);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task ReleaseConnectRequestAsync(string id, string connectionId, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE connect_requests SET status = 'outstanding', completed_at = NULL, result_connection_id = NULL
            WHERE id = $id AND status = 'completed' AND result_connection_id = $connection_id;
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$connection_id", connectionId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    });

    private Task<ConnectRequestRow?> ReadRequestAsync(string sql, string key, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$key", key);
        return await StoredConnectRequests.ReadOneAsync(command, TimeColumn, cancellationToken);
    });
}
