namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore
{
    private const string PendingColumns = StoredRows.PendingColumns;

    public Task SavePendingAsync(PendingAuthorization pending, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO pending_authorizations ({PendingColumns})
            VALUES (@state_hash, @provider, @connection_id, @label, @scopes, @redirect_uri, @issuer, @iss_supported, @browser_hash, @code_verifier, @created_connection, @created_at, @expires_at, @parameters, @pick, @connect_request_id);
            """);
        var p = command.Parameters;
        p.AddWithValue("state_hash", pending.StateHash);
        p.AddWithValue("provider", pending.Provider);
        p.AddWithValue("connection_id", pending.ConnectionId);
        p.AddWithValue("label", pending.Label);
        p.AddWithValue("scopes", string.Join(' ', pending.Scopes));
        p.AddWithValue("redirect_uri", pending.RedirectUri);
        p.Add(Text("issuer", pending.Issuer));
        p.AddWithValue("iss_supported", pending.IssParameterSupported);
        p.AddWithValue("browser_hash", pending.BrowserHash);
        p.Add(Text("code_verifier", pending.CodeVerifier));
        p.AddWithValue("created_connection", pending.CreatedConnection);
        p.Add(Time("created_at", pending.CreatedAt));
        p.Add(Time("expires_at", pending.ExpiresAt));
        p.Add(Text("parameters", StoredRows.ParametersJson(pending.Parameters)));
        p.Add(Text("pick", pending.Pick));
        p.Add(Text("connect_request_id", pending.ConnectRequestId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    });

    public Task<PendingAuthorization?> TakePendingAsync(string stateHash, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        // DELETE … RETURNING is one atomic statement: of two callbacks racing with one state, the second finds nothing.
        await using var command = _dataSource.CreateCommand($"DELETE FROM pending_authorizations WHERE state_hash = @state_hash RETURNING {PendingColumns};");
        command.Parameters.AddWithValue("state_hash", stateHash);
        return await StoredRows.PendingAsync(command, TimeColumn, cancellationToken);
    });

    public Task PurgeExpiredPendingAsync(DateTimeOffset now, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM pending_authorizations WHERE expires_at < @now;");
        command.Parameters.Add(Time("now", now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    });
}
