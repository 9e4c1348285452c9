using System.Data.Common;
using System.Text.Json;
using TokenProxy.Providers;

namespace TokenProxy.Vault;

/// <summary>
/// The column lists and the reading of rows, shared by both stores: the schema is one, only the way a
/// timestamp is stored differs (Unix milliseconds in SQLite, <c>timestamptz</c> in PostgreSQL).
/// </summary>
internal static class StoredRows
{
    public const string ConnectionColumns =
        "id, provider, label, workspace, status, account_id, account_email, account_name, scopes, token_type, " +
        "access_token, refresh_token, expires_at, last_refreshed_at, last_error_code, last_error_description, " +
        "last_error_at, metadata, created_at, updated_at, version, last_refresh_reason, parameters, credential_kind, refresh_token_expires_at, " +
        "end_user_id, end_user_display_name, end_user_email, origin, refresh_attempt_id, refresh_attempt_at, required_scopes";

    /// <summary>Every connection, in the order the admin list shows them.</summary>
    public const string ListConnections = $"SELECT {ConnectionColumns} FROM connections ORDER BY provider, label;";

    /// <summary>
    /// The provider's connection in a scope whose id or label is the key (an id wins over a label that looks the same). The
    /// scope is compared as the label index stores it, with the empty string for none, so the lookup uses that index.
    /// </summary>
    public const string FindConnection = $"""
        SELECT {ConnectionColumns} FROM connections
        WHERE provider = @provider AND coalesce(workspace, '') = @workspace AND coalesce(end_user_id, '') = @end_user
          AND (id = @key OR label = @key)
        ORDER BY id = @key DESC LIMIT 1;
        """;

    public const string WorkspaceColumns = "id, display_name, created_at";

    public const string PendingColumns =
        "state_hash, provider, connection_id, label, scopes, redirect_uri, issuer, iss_supported, browser_hash, code_verifier, created_connection, created_at, expires_at, parameters, pick, connect_request_id";

    /// <summary>Runs <paramref name="command"/> and reads every row it selects with <see cref="ConnectionColumns"/>.</summary>
    public static async Task<IReadOnlyList<ConnectionRow>> ConnectionsAsync(
        DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        var rows = new List<ConnectionRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Connection(reader, time));
        }

        return rows;
    }

    /// <summary>Runs <paramref name="command"/> and reads the first row it selects with <see cref="ConnectionColumns"/>, if any.</summary>
    public static async Task<ConnectionRow?> ConnectionAsync(
        DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Connection(reader, time) : null;
    }

    /// <summary>Reads one row selected with <see cref="ConnectionColumns"/>.</summary>
    public static ConnectionRow Connection(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> time)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : time(r, i);
        var (accountId, email, name) = (S(5), S(6), S(7));
        var errorCode = S(14);
        return new ConnectionRow
        {
            Id = r.GetString(0),
            Provider = r.GetString(1),
            Label = r.GetString(2),
            Workspace = S(3),
            Status = ConnectionStatusNames.Parse(r.GetString(4)),
            Account = accountId is null && email is null && name is null ? null : new ConnectionAccount(accountId, email, name),
            Scopes = r.GetString(8).Split(' ', StringSplitOptions.RemoveEmptyEntries),
            TokenType = S(9),
            AccessToken = S(10),
            RefreshToken = S(11),
            ExpiresAt = T(12),
            LastRefreshedAt = T(13),
            LastError = errorCode is null ? null : new ConnectionError(errorCode, S(15), T(16) ?? DateTimeOffset.UnixEpoch),
            Metadata = S(17) is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : new Dictionary<string, string>(),
            CreatedAt = time(r, 18),
            UpdatedAt = time(r, 19),
            Version = r.GetInt64(20),
            LastRefreshReason = S(21),
            // Rows written before parameters existed hold NULL: no parameters.
            CredentialKind = CredentialKindNames.Parse(r.GetString(23)),
            Parameters = ReadParameters(S(22)),
            RefreshTokenExpiresAt = T(24),
            EndUser = S(25) is { } endUser ? new ConnectionEndUser(endUser, S(26), S(27)) : null,
            Origin = ConnectionOriginNames.Parse(r.GetString(28)),
            RefreshAttempt = S(29) is { } attempt ? new RefreshAttempt(attempt, T(30) ?? DateTimeOffset.UnixEpoch) : null,
            RequiredScopes = r.GetString(31).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        };
    }

    /// <summary>Runs <paramref name="command"/> and reads every row it selects with <see cref="WorkspaceColumns"/>.</summary>
    public static async Task<IReadOnlyList<WorkspaceRow>> WorkspacesAsync(
        DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        var rows = new List<WorkspaceRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new WorkspaceRow(reader.GetString(0), reader.GetString(1), time(reader, 2)));
        }

        return rows;
    }

    /// <summary>Runs <paramref name="command"/> and reads the first row it returns with <see cref="PendingColumns"/>, if any.</summary>
    public static async Task<PendingAuthorization?> PendingAsync(
        DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Pending(reader, time) : null;
    }

    /// <summary>Reads one row selected with <see cref="PendingColumns"/>. Flags are booleans in PostgreSQL and 0/1 in SQLite; GetBoolean reads both.</summary>
    public static PendingAuthorization Pending(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> time) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
        r.GetString(4).Split(' ', StringSplitOptions.RemoveEmptyEntries), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6), r.GetBoolean(7), r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9), r.GetBoolean(10),
        time(r, 11), time(r, 12))
    {
        Parameters = r.IsDBNull(13) ? NoParameters : ReadParameters(r.GetString(13)),
        Pick = r.IsDBNull(14) ? null : r.GetString(14),
        ConnectRequestId = r.IsDBNull(15) ? null : r.GetString(15),
    };

    /// <summary>No parameters: one shared instance, so records without any compare equal.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>();

    /// <summary>A parameters column's value: null for none, else a JSON object of strings.</summary>
    public static string? ParametersJson(IReadOnlyDictionary<string, string> parameters) =>
        parameters.Count == 0 ? null : JsonSerializer.Serialize(parameters);

    /// <summary>
    /// A column that is not a JSON object of strings (edited by hand, another writer) reads as no parameters: a provider
    /// whose addresses need them then refuses that connection's requests (invalid_destination), and every other row,
    /// the admin list and startup keep working.
    /// </summary>
    private static Dictionary<string, string> ReadParameters(string? stored)
    {
        if (stored is null)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(stored) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
