using Microsoft.Data.Sqlite;

namespace TokenProxy.Vault.Sqlite;

internal sealed partial class SqliteConnectionStore : IPortalStore
{
    public Task<bool> TryInsertPortalLinkAsync(PortalLink link, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = PortalSql.InsertLink;
        command.Parameters.AddWithValue("@token_hash", link.TokenHash);
        command.Parameters.AddWithValue("@workspace", link.Workspace);
        command.Parameters.AddWithValue("@created_at", link.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@expires_at", link.ExpiresAt.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<PortalLink?> FindPortalLinkAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = PortalSql.FindLink;
        command.Parameters.AddWithValue("@token_hash", tokenHash);
        command.Parameters.AddWithValue("@now", now.ToUnixTimeMilliseconds());
        return await PortalSql.LinkAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryInsertPortalSessionAsync(PortalSession session, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = PortalSql.InsertSession;
        var p = command.Parameters;
        p.AddWithValue("@id", session.Id);
        p.AddWithValue("@workspace", session.Workspace);
        p.AddWithValue("@token_hash", session.TokenHash);
        p.AddWithValue("@created_at", session.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("@rotated_at", session.RotatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("@idle_expires_at", session.IdleExpiresAt.ToUnixTimeMilliseconds());
        p.AddWithValue("@expires_at", session.ExpiresAt.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<PortalSession?> FindPortalSessionAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = PortalSql.FindSession;
        command.Parameters.AddWithValue("@token_hash", tokenHash);
        command.Parameters.AddWithValue("@now", now.ToUnixTimeMilliseconds());
        return await PortalSql.SessionAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryRotatePortalSessionAsync(PortalSession rotated, string expectedHash, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = PortalSql.RotateSession;
        var p = command.Parameters;
        p.AddWithValue("@id", rotated.Id);
        p.AddWithValue("@token_hash", rotated.TokenHash);
        p.AddWithValue("@previous_hash", (object?)rotated.PreviousHash ?? DBNull.Value);
        p.AddWithValue("@previous_valid_until", (object?)rotated.PreviousValidUntil?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("@rotated_at", rotated.RotatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("@idle_expires_at", rotated.IdleExpiresAt.ToUnixTimeMilliseconds());
        p.AddWithValue("@expected_hash", expectedHash);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<int> EndPortalAccessAsync(string workspace, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var ended = await EndPortalAccessAsync(connection, transaction, workspace, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ended;
    });

    public Task PurgeExpiredPortalAsync(DateTimeOffset now, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = PortalSql.PurgeSessions + PortalSql.PurgeLinks;
        command.Parameters.AddWithValue("@now", now.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    });

    /// <summary>Deletes the workspace's sessions and links inside <paramref name="transaction"/>; the number of sessions.</summary>
    private static async Task<int> EndPortalAccessAsync(SqliteConnection connection, SqliteTransaction transaction, string workspace, CancellationToken cancellationToken)
    {
        await using var links = connection.CreateCommand();
        links.Transaction = transaction;
        links.CommandText = PortalSql.EndLinks;
        links.Parameters.AddWithValue("@workspace", workspace);
        await links.ExecuteNonQueryAsync(cancellationToken);
        await using var sessions = connection.CreateCommand();
        sessions.Transaction = transaction;
        sessions.CommandText = PortalSql.EndSessions;
        sessions.Parameters.AddWithValue("@workspace", workspace);
        return await sessions.ExecuteNonQueryAsync(cancellationToken);
    }
}
