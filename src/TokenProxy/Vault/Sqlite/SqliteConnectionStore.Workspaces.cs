namespace TokenProxy.Vault.Sqlite;

internal sealed partial class SqliteConnectionStore
{
    public Task<IReadOnlyList<WorkspaceRow>> ListWorkspacesAsync(CancellationToken cancellationToken) => ReadGuardAsync<IReadOnlyList<WorkspaceRow>>(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {StoredRows.WorkspaceColumns} FROM workspaces ORDER BY id;";
        return await StoredRows.WorkspacesAsync(command, TimeColumn, cancellationToken);
    });

    public Task<WorkspaceRow?> GetWorkspaceAsync(string id, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {StoredRows.WorkspaceColumns} FROM workspaces WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return await StoredRows.WorkspacesAsync(command, TimeColumn, cancellationToken) is [var found, ..] ? found : null;
    });

    public Task<bool> TryInsertWorkspaceAsync(WorkspaceRow workspace, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO workspaces (id, display_name, created_at) VALUES ($id, $display_name, $created_at) ON CONFLICT DO NOTHING;";
        command.Parameters.AddWithValue("$id", workspace.Id);
        command.Parameters.AddWithValue("$display_name", workspace.DisplayName);
        command.Parameters.AddWithValue("$created_at", workspace.CreatedAt.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<bool> DeleteWorkspaceAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Its portal sessions and links end with it, and its outstanding connect requests are cancelled, in the same
        // commit: a workspace created again under the name opens to nobody who held the old one (docs/architecture.md §9).
        await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await EndPortalAccessAsync(connection, transaction, id, cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"{StoredConnectRequests.CancelInWorkspace} {WebhookSql.DeleteInWorkspace} DELETE FROM workspaces WHERE id = @workspace;";
        command.Parameters.AddWithValue("@workspace", id);
        command.Parameters.AddWithValue("@api", WebhookRow.FromApi);
        command.Parameters.AddWithValue("@now", now.ToUnixTimeMilliseconds());
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    });
}
