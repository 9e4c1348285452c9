using Npgsql;

namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore : IPortalStore
{
    public Task<bool> TryInsertPortalLinkAsync(PortalLink link, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(PortalSql.InsertLink);
        command.Parameters.AddWithValue("token_hash", link.TokenHash);
        command.Parameters.AddWithValue("workspace", link.Workspace);
        command.Parameters.Add(Time("created_at", link.CreatedAt));
        command.Parameters.Add(Time("expires_at", link.ExpiresAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<PortalLink?> FindPortalLinkAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(PortalSql.FindLink);
        command.Parameters.AddWithValue("token_hash", tokenHash);
        command.Parameters.Add(Time("now", now));
        return await PortalSql.LinkAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryInsertPortalSessionAsync(PortalSession session, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(PortalSql.InsertSession);
        var p = command.Parameters;
        p.AddWithValue("id", session.Id);
        p.AddWithValue("workspace", session.Workspace);
        p.AddWithValue("token_hash", session.TokenHash);
        p.Add(Time("created_at", session.CreatedAt));
        p.Add(Time("rotated_at", session.RotatedAt));
        p.Add(Time("idle_expires_at", session.IdleExpiresAt));
        p.Add(Time("expires_at", session.ExpiresAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<PortalSession?> FindPortalSessionAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(PortalSql.FindSession);
        command.Parameters.AddWithValue("token_hash", tokenHash);
        command.Parameters.Add(Time("now", now));
        return await PortalSql.SessionAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryRotatePortalSessionAsync(PortalSession rotated, string expectedHash, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(PortalSql.RotateSession);
        var p = command.Parameters;
        p.AddWithValue("id", rotated.Id);
        p.AddWithValue("token_hash", rotated.TokenHash);
        p.Add(Text("previous_hash", rotated.PreviousHash));
        p.Add(Time("previous_valid_until", rotated.PreviousValidUntil));
        p.Add(Time("rotated_at", rotated.RotatedAt));
        p.Add(Time("idle_expires_at", rotated.IdleExpiresAt));
        p.AddWithValue("expected_hash", expectedHash);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    public Task<int> EndPortalAccessAsync(string workspace, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ended = await EndPortalAccessAsync(connection, transaction, workspace, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ended;
    });

    public Task PurgeExpiredPortalAsync(DateTimeOffset now, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(PortalSql.PurgeSessions + PortalSql.PurgeLinks);
        command.Parameters.Add(Time("now", now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    });

    /// <summary>Deletes the workspace's sessions and links inside <paramref name="transaction"/>; the number of sessions.</summary>
    private static async Task<int> EndPortalAccessAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string workspace, CancellationToken cancellationToken)
    {
        await using var links = new NpgsqlCommand(PortalSql.EndLinks, connection, transaction);
        links.Parameters.AddWithValue("workspace", workspace);
        await links.ExecuteNonQueryAsync(cancellationToken);
        await using var sessions = new NpgsqlCommand(PortalSql.EndSessions, connection, transaction);
        sessions.Parameters.AddWithValue("workspace", workspace);
        return await sessions.ExecuteNonQueryAsync(cancellationToken);
    }
}
