using System.Text.Json;
using Microsoft.Data.Sqlite;
using TokenProxy.Providers;

namespace TokenProxy.Vault.Sqlite;

/// <summary>How a <see cref="ConnectionRow"/> maps to the <c>connections</c> table: times as Unix milliseconds, scopes space-joined.</summary>
internal sealed partial class SqliteConnectionStore
{
    private const string Columns = StoredRows.ConnectionColumns;

    private const string Parameters =
        "$id, $provider, $label, $workspace, $status, $account_id, $account_email, $account_name, $scopes, $token_type, " +
        "$access_token, $refresh_token, $expires_at, $last_refreshed_at, $last_error_code, $last_error_description, " +
        "$last_error_at, $metadata, $created_at, $updated_at, $version, $last_refresh_reason, $parameters, $credential_kind, $refresh_token_expires_at, " +
        "$end_user_id, $end_user_display_name, $end_user_email, $connection_origin, $refresh_attempt_id, $refresh_attempt_at, $required_scopes";

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
        p.AddWithValue("$credential_kind", row.CredentialKind.ToWire());
        p.AddWithValue("$parameters", row.Parameters.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(row.Parameters));
        p.AddWithValue("$refresh_token_expires_at", ToUnix(row.RefreshTokenExpiresAt));
        p.AddWithValue("$end_user_id", (object?)row.EndUser?.Id ?? DBNull.Value);
        p.AddWithValue("$end_user_display_name", (object?)row.EndUser?.DisplayName ?? DBNull.Value);
        p.AddWithValue("$end_user_email", (object?)row.EndUser?.Email ?? DBNull.Value);
        p.AddWithValue("$connection_origin", row.Origin.ToWire());
        p.AddWithValue("$refresh_attempt_id", (object?)row.RefreshAttempt?.Id ?? DBNull.Value);
        p.AddWithValue("$refresh_attempt_at", ToUnix(row.RefreshAttempt?.At));
        p.AddWithValue("$required_scopes", string.Join(' ', row.RequiredScopes));
    }


    private static object ToUnix(DateTimeOffset? value) => value is { } v ? v.ToUnixTimeMilliseconds() : DBNull.Value;

    /// <summary>How this store keeps timestamps.</summary>
    private static readonly Func<System.Data.Common.DbDataReader, int, DateTimeOffset> TimeColumn = static (r, i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));
}
