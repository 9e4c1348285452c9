namespace TokenProxy.Vault.Sqlite;

internal sealed partial class SqliteConnectionStore
{
    private const string PendingColumns = StoredRows.PendingColumns;

    public Task SavePendingAsync(PendingAuthorization pending, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO pending_authorizations ({PendingColumns})
            VALUES ($state_hash, $provider, $connection_id, $label, $scopes, $redirect_uri, $issuer, $iss_supported, $browser_hash, $code_verifier, $created_connection, $created_at, $expires_at, $parameters, $pick, $connect_request_id);
            """;
        var p = command.Parameters;
        p.AddWithValue("$state_hash", pending.StateHash);
        p.AddWithValue("$provider", pending.Provider);
        p.AddWithValue("$connection_id", pending.ConnectionId);
        p.AddWithValue("$label", pending.Label);
        p.AddWithValue("$scopes", string.Join(' ', pending.Scopes));
        p.AddWithValue("$redirect_uri", pending.RedirectUri);
        p.AddWithValue("$issuer", (object?)pending.Issuer ?? DBNull.Value);
        p.AddWithValue("$iss_supported", pending.IssParameterSupported ? 1 : 0);
        p.AddWithValue("$browser_hash", pending.BrowserHash);
        p.AddWithValue("$code_verifier", (object?)pending.CodeVerifier ?? DBNull.Value);
        p.AddWithValue("$created_connection", pending.CreatedConnection ? 1 : 0);
        p.AddWithValue("$created_at", pending.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$expires_at", pending.ExpiresAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$parameters", (object?)StoredRows.ParametersJson(pending.Parameters) ?? DBNull.Value);
        p.AddWithValue("$pick", (object?)pending.Pick ?? DBNull.Value);
        p.AddWithValue("$connect_request_id", (object?)pending.ConnectRequestId ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    });

    public Task<PendingAuthorization?> TakePendingAsync(string stateHash, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // DELETE … RETURNING is one atomic statement: a replayed state finds nothing.
        command.CommandText = $"DELETE FROM pending_authorizations WHERE state_hash = $state_hash RETURNING {PendingColumns};";
        command.Parameters.AddWithValue("$state_hash", stateHash);
        return await StoredRows.PendingAsync(command, TimeColumn, cancellationToken);
    });

    public Task PurgeExpiredPendingAsync(DateTimeOffset now, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM pending_authorizations WHERE expires_at < $now;";
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    });
}

