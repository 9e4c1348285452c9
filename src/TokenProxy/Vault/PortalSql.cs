using System.Data.Common;

namespace TokenProxy.Vault;

/// <summary>
/// The statements of <see cref="IPortalStore"/>, shared by both stores: the schema is one, and both take <c>@name</c>
/// parameters; only the way a time is bound differs.
/// </summary>
internal static class PortalSql
{
    public const string SessionColumns =
        "id, workspace, token_hash, previous_hash, previous_valid_until, created_at, rotated_at, idle_expires_at, expires_at";

    /// <summary>Only into a workspace that exists: a link minted while its workspace is deleted opens nothing.</summary>
    public const string InsertLink = """
        INSERT INTO portal_links (token_hash, workspace, created_at, expires_at)
        SELECT @token_hash, @workspace, @created_at, @expires_at WHERE EXISTS (SELECT 1 FROM workspaces WHERE id = @workspace);
        """;

    public const string FindLink = """
        SELECT token_hash, workspace, created_at, expires_at FROM portal_links l
        WHERE token_hash = @token_hash AND expires_at > @now AND EXISTS (SELECT 1 FROM workspaces w WHERE w.id = l.workspace);
        """;

    public const string InsertSession = $"""
        INSERT INTO portal_sessions ({SessionColumns})
        SELECT @id, @workspace, @token_hash, NULL, NULL, @created_at, @rotated_at, @idle_expires_at, @expires_at
        WHERE EXISTS (SELECT 1 FROM workspaces WHERE id = @workspace);
        """;

    public const string FindSession = $"""
        SELECT {SessionColumns} FROM portal_sessions s
        WHERE (token_hash = @token_hash OR (previous_hash = @token_hash AND previous_valid_until > @now))
          AND idle_expires_at > @now AND expires_at > @now
          AND EXISTS (SELECT 1 FROM workspaces w WHERE w.id = s.workspace);
        """;

    public const string RotateSession = """
        UPDATE portal_sessions
        SET token_hash = @token_hash, previous_hash = @previous_hash, previous_valid_until = @previous_valid_until,
            rotated_at = @rotated_at, idle_expires_at = @idle_expires_at
        WHERE id = @id AND token_hash = @expected_hash;
        """;

    public const string EndSessions = "DELETE FROM portal_sessions WHERE workspace = @workspace;";

    public const string EndLinks = "DELETE FROM portal_links WHERE workspace = @workspace;";

    public const string PurgeSessions = "DELETE FROM portal_sessions WHERE expires_at <= @now OR idle_expires_at <= @now;";

    public const string PurgeLinks = "DELETE FROM portal_links WHERE expires_at <= @now;";

    /// <summary>Runs <paramref name="command"/> and reads the first link it selects, if any.</summary>
    public static async Task<PortalLink?> LinkAsync(DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new PortalLink(reader.GetString(0), reader.GetString(1), time(reader, 2), time(reader, 3))
            : null;
    }

    /// <summary>Runs <paramref name="command"/> and reads the first session it selects with <see cref="SessionColumns"/>, if any.</summary>
    public static async Task<PortalSession?> SessionAsync(DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new PortalSession(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : time(reader, 4),
                time(reader, 5), time(reader, 6), time(reader, 7), time(reader, 8))
            : null;
    }
}
