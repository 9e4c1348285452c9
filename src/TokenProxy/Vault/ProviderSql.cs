using System.Data.Common;

namespace TokenProxy.Vault;

/// <summary>
/// The statements of <see cref="IProviderStore"/>, shared by both stores (<c>@name</c> parameters); PostgreSQL wraps
/// each write to notify the other instances in the same statement.
/// </summary>
internal static class ProviderSql
{
    public const string List = "SELECT name, definition, client_secrets, version, updated_at FROM providers ORDER BY name;";

    public const string Insert = """
        INSERT INTO providers (name, definition, client_secrets, version, updated_at)
        VALUES (@name, @definition, @client_secrets, 1, @updated_at) ON CONFLICT (name) DO NOTHING
        """;

    public const string Update = """
        UPDATE providers SET definition = @definition, client_secrets = @client_secrets, version = version + 1, updated_at = @updated_at
        WHERE name = @name AND version = @version
        """;

    public const string Delete = "DELETE FROM providers WHERE name = @name";

    public static async Task<IReadOnlyList<StoredProviderRow>> RowsAsync(
        DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        var rows = new List<StoredProviderRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new StoredProviderRow(
                reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3), time(reader, 4)));
        }

        return rows;
    }
}
