using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace TokenProxy.Vault.Sqlite;

/// <summary>How a <see cref="ConnectionRow"/> maps to the <c>connections</c> table: times as Unix milliseconds, scopes space-joined.</summary>
internal sealed partial class SqliteConnectionStore
{
    private const string Columns =
        "id, provider, label, workspace, status, account_id, account_email, account_name, scopes, token_type, " +
        "access_token, refresh_token, expires_at, last_refreshed_at, last_error_code, last_error_description, " +
        "last_error_at, metadata, created_at, updated_at, version, last_refresh_reason";

    private const string Parameters =
        "$id, $provider, $label, $workspace, $status, $account_id, $account_email, $account_name, $scopes, $token_type, " +
        "$access_token, $refresh_token, $expires_at, $last_refreshed_at, $last_error_code, $last_error_description, " +
        "$last_error_at, $metadata, $created_at, $updated_at, $version, $last_refresh_reason";

    private static void Bind(SqliteCommand command, ConnectionRow row)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", row.Id);
        p.AddWithValue("$provider", row.Provider);
        p.AddWithValue("$label", row.Label);
        p.AddWithValue("$workspace", (object?)row.Workspace ?? DBNull.Value);
        p.AddWithValue("$status", row.Status.ToWire());
        p.AddWithValue("$account_id", (object?)row.Account?.Id ?? DBNull.Value);
        p.AddWithValue("$account_email", (object?)row.Account?.Email ?? DBNull.Value);
        p.AddWithValue("$account_name", (object?)row.Account?.Name ?? DBNull.Value);
        p.AddWithValue("$scopes", string.Join(' ', row.Scopes));
        p.AddWithValue("$token_type", (object?)row.TokenType ?? DBNull.Value);
        p.AddWithValue("$access_token", (object?)row.AccessToken ?? DBNull.Value);
        p.AddWithValue("$refresh_token", (object?)row.RefreshToken ?? DBNull.Value);
        p.AddWithValue("$expires_at", ToUnix(row.ExpiresAt));
        p.AddWithValue("$last_refreshed_at", ToUnix(row.LastRefreshedAt));
        p.AddWithValue("$last_error_code", (object?)row.LastError?.Code ?? DBNull.Value);
        p.AddWithValue("$last_error_description", (object?)row.LastError?.Description ?? DBNull.Value);
        p.AddWithValue("$last_error_at", ToUnix(row.LastError?.At));
        p.AddWithValue("$metadata", row.Metadata.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(row.Metadata));
        p.AddWithValue("$created_at", row.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$updated_at", row.UpdatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$version", row.Version);
        p.AddWithValue("$last_refresh_reason", (object?)row.LastRefreshReason ?? DBNull.Value);
    }

    private static ConnectionRow Read(SqliteDataReader r)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));
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
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(18)),
            UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(19)),
            Version = r.GetInt64(20),
            LastRefreshReason = S(21),
        };
    }

    private static object ToUnix(DateTimeOffset? value) => value is { } v ? v.ToUnixTimeMilliseconds() : DBNull.Value;
}
