namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore
{
    public Task<IReadOnlyList<WorkspaceRow>> ListWorkspacesAsync(CancellationToken cancellationToken) => GuardAsync<IReadOnlyList<WorkspaceRow>>(async () =>
    {
        await using var command = _dataSource.CreateCommand($"SELECT {StoredRows.WorkspaceColumns} FROM workspaces ORDER BY id;");
        return await StoredRows.WorkspacesAsync(command, TimeColumn, cancellationToken);
    });

    public Task<WorkspaceRow?> GetWorkspaceAsync(string id, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand($"SELECT {StoredRows.WorkspaceColumns} FROM workspaces WHERE id = @id;");
        command.Parameters.AddWithValue("id", id);
        return await StoredRows.WorkspacesAsync(command, TimeColumn, cancellationToken) is [var found, ..] ? found : null;
    });

    public Task<bool> TryInsertWorkspaceAsync(WorkspaceRow workspace, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(
            "INSERT INTO workspaces (id, display_name, created_at) VALUES (@id, @display_name, @created_at) ON CONFLICT DO NOTHING;");
        command.Parameters.AddWithValue("id", workspace.Id);
        command.Parameters.AddWithValue("display_name", workspace.DisplayName);
        command.Parameters.Add(Time("created_at", workspace.CreatedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<bool> DeleteWorkspaceAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // Its portal sessions and links end with it, and its outstanding connect requests are cancelled, in the same
        // commit: a workspace created again under the name opens to nobody who held the old one (docs/architecture.md §9).
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await EndPortalAccessAsync(connection, transaction, id, cancellationToken);
        await using var cancel = new Npgsql.NpgsqlCommand(StoredConnectRequests.CancelInWorkspace, connection, transaction);
        cancel.Parameters.AddWithValue("workspace", id);
        cancel.Parameters.Add(Time("now", now));
        await cancel.ExecuteNonQueryAsync(cancellationToken);
        await using var webhooks = new Npgsql.NpgsqlCommand(WebhookSql.DeleteInWorkspace, connection, transaction);
        webhooks.Parameters.AddWithValue("workspace", id);
        webhooks.Parameters.AddWithValue("api", WebhookRow.FromApi);
        await webhooks.ExecuteNonQueryAsync(cancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("DELETE FROM workspaces WHERE id = @id;", connection, transaction);
        command.Parameters.AddWithValue("id", id);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    });
}
