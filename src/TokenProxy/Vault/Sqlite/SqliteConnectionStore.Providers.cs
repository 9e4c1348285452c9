namespace TokenProxy.Vault.Sqlite;

internal sealed partial class SqliteConnectionStore : IProviderStore
{
    /// <summary>Never raised: one process per file, and the writer reads its own writes.</summary>
    public event Action? ProvidersChanged
    {
        add { }
        remove { }
    }

    public Task<IReadOnlyList<StoredProviderRow>> ListProvidersAsync(CancellationToken cancellationToken) => ReadGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = ProviderSql.List;
        return await ProviderSql.RowsAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryInsertProviderAsync(StoredProviderRow row, CancellationToken cancellationToken) => WriteAsync(ProviderSql.Insert, row, cancellationToken);

    public Task<bool> TryUpdateProviderAsync(StoredProviderRow row, CancellationToken cancellationToken) => WriteAsync(ProviderSql.Update, row, cancellationToken);

    public Task<bool> DeleteProviderAsync(string name, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = ProviderSql.Delete;
        command.Parameters.AddWithValue("@name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });

    private Task<bool> WriteAsync(string sql, StoredProviderRow row, CancellationToken cancellationToken) => WriteGuardAsync(async () =>
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@name", row.Name);
        command.Parameters.AddWithValue("@definition", row.Definition);
        command.Parameters.AddWithValue("@client_secrets", (object?)row.ClientSecrets ?? DBNull.Value);
        command.Parameters.AddWithValue("@version", row.Version);
        command.Parameters.AddWithValue("@updated_at", row.UpdatedAt.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    });
}
