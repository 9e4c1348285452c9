using System.Data.Common;
using System.Text.Json;

namespace TokenProxy.Vault;

/// <summary>The connect requests' column list and the reading of their rows, shared by both stores (as <see cref="StoredRows"/>).</summary>
internal static class StoredConnectRequests
{
    public const string Columns =
        "id, token_hash, workspace, provider, label, scopes, end_user_id, end_user_display_name, end_user_email, parameters, " +
        "connection_id, message, status, created_at, expires_at, completed_at, cancelled_at, result_connection_id";

    /// <summary>Cancels a workspace's outstanding requests (<c>@workspace</c>, <c>@now</c>), in the commit that deletes it.</summary>
    public const string CancelInWorkspace =
        "UPDATE connect_requests SET status = 'cancelled', cancelled_at = @now WHERE workspace = @workspace AND status = 'outstanding';";

    public static async Task<IReadOnlyList<ConnectRequestRow>> ReadAllAsync(
        DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        var rows = new List<ConnectRequestRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader, time));
        }

        return rows;
    }

    public static async Task<ConnectRequestRow?> ReadOneAsync(
        DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken) =>
        await ReadAllAsync(command, time, cancellationToken) is [var row, ..] ? row : null;

    private static ConnectRequestRow Read(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> time)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : time(r, i);
        return new ConnectRequestRow
        {
            Id = r.GetString(0),
            TokenHash = r.GetString(1),
            Workspace = r.GetString(2),
            Provider = r.GetString(3),
            Label = S(4),
            Scopes = S(5)?.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            EndUser = S(6) is { } endUser ? new ConnectionEndUser(endUser, S(7), S(8)) : null,
            Parameters = S(9) is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : StoredRows.NoParameters,
            ConnectionId = S(10),
            Message = S(11),
            Status = ConnectRequestStatusNames.Parse(r.GetString(12)),
            CreatedAt = time(r, 13),
            ExpiresAt = time(r, 14),
            CompletedAt = T(15),
            CancelledAt = T(16),
            ResultConnectionId = S(17),
        };
    }

    /// <summary>The scopes column: null for the provider's, else the names joined by spaces.</summary>
    public static string? ScopesText(IReadOnlyList<string>? scopes) => scopes is null ? null : string.Join(' ', scopes);
}
