using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TokenProxy.Providers;

namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore
{
    private const string Columns = StoredRows.ConnectionColumns;

    private const string Parameters =
        "@id, @provider, @label, @workspace, @status, @account_id, @account_email, @account_name, @scopes, @token_type, " +
        "@access_token, @refresh_token, @expires_at, @last_refreshed_at, @last_error_code, @last_error_description, " +
        "@last_error_at, @metadata, @created_at, @updated_at, @version, @last_refresh_reason, @parameters, @credential_kind, @refresh_token_expires_at, " +
        "@end_user_id, @end_user_display_name, @end_user_email, @connection_origin, @refresh_attempt_id, @refresh_attempt_at, @required_scopes";

    private void Bind(NpgsqlCommand command, ConnectionRow row)
    {
        var p = command.Parameters;
        p.AddWithValue("id", row.Id);
        p.AddWithValue("provider", row.Provider);
        p.AddWithValue("label", row.Label);
        p.Add(Text("workspace", row.Workspace));
        p.AddWithValue("status", row.Status.ToWire());
        p.Add(Text("account_id", row.Account?.Id));
        p.Add(Text("account_email", row.Account?.Email));
        p.Add(Text("account_name", row.Account?.Name));
        p.AddWithValue("scopes", string.Join(' ', row.Scopes));
        p.Add(Text("token_type", row.TokenType));
        p.Add(Text("access_token", row.AccessToken));
        p.Add(Text("refresh_token", row.RefreshToken));
        p.Add(Time("expires_at", row.ExpiresAt));
        p.Add(Time("last_refreshed_at", row.LastRefreshedAt));
        p.Add(Text("last_error_code", row.LastError?.Code));
        p.Add(Text("last_error_description", row.LastError?.Description));
        p.Add(Time("last_error_at", row.LastError?.At));
        p.Add(Text("metadata", row.Metadata.Count == 0 ? null : JsonSerializer.Serialize(row.Metadata)));
        p.Add(Time("created_at", row.CreatedAt));
        p.Add(Time("updated_at", row.UpdatedAt));
        p.AddWithValue("version", row.Version);
        p.Add(Text("last_refresh_reason", row.LastRefreshReason));
        p.Add(Text("parameters", row.Parameters.Count == 0 ? null : JsonSerializer.Serialize(row.Parameters)));
        p.AddWithValue("credential_kind", row.CredentialKind.ToWire());
        p.Add(Time("refresh_token_expires_at", row.RefreshTokenExpiresAt));
        p.Add(Text("end_user_id", row.EndUser?.Id));
        p.Add(Text("end_user_display_name", row.EndUser?.DisplayName));
        p.Add(Text("end_user_email", row.EndUser?.Email));
        // Not "origin": that parameter names the writing instance in the change notification.
        p.AddWithValue("connection_origin", row.Origin.ToWire());
        p.Add(Text("refresh_attempt_id", row.RefreshAttempt?.Id));
        p.Add(Time("refresh_attempt_at", row.RefreshAttempt?.At));
        p.AddWithValue("required_scopes", string.Join(' ', row.RequiredScopes));
        p.AddWithValue("origin", _origin);
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    // timestamptz takes UTC only (Npgsql refuses other offsets); it keeps microseconds.
    private static NpgsqlParameter Time(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value };

    /// <summary>How this store keeps timestamps.</summary>
    private static readonly Func<System.Data.Common.DbDataReader, int, DateTimeOffset> TimeColumn = static (r, i) => r.GetFieldValue<DateTimeOffset>(i);
}
