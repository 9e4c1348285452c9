using Npgsql;

namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore : IProviderStore
{
    /// <summary>The channel a provider write notifies in its own statement; the payload is the writer's origin.</summary>
    internal const string ProvidersChannel = "tokenproxy_providers";

    public event Action? ProvidersChanged;

    public Task<IReadOnlyList<StoredProviderRow>> ListProvidersAsync(CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(ProviderSql.List);
        return await ProviderSql.RowsAsync(command, TimeColumn, cancellationToken);
    });

    public Task<bool> TryInsertProviderAsync(StoredProviderRow row, CancellationToken cancellationToken) => WriteProviderAsync(ProviderSql.Insert, row, cancellationToken);

    public Task<bool> TryUpdateProviderAsync(StoredProviderRow row, CancellationToken cancellationToken) => WriteProviderAsync(ProviderSql.Update, row, cancellationToken);

    public Task<bool> DeleteProviderAsync(string name, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(Notifying(ProviderSql.Delete));
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("origin", _origin);
        return await WrittenAsync(command, cancellationToken);
    });

    private Task<bool> WriteProviderAsync(string sql, StoredProviderRow row, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(Notifying(sql));
        var p = command.Parameters;
        p.AddWithValue("name", row.Name);
        p.AddWithValue("definition", row.Definition);
        p.Add(Text("client_secrets", row.ClientSecrets));
        p.AddWithValue("version", row.Version);
        p.Add(Time("updated_at", row.UpdatedAt));
        p.AddWithValue("origin", _origin);
        return await WrittenAsync(command, cancellationToken);
    });

    /// <summary>The write, and a notification sent by PostgreSQL when it commits, only if it wrote a row.</summary>
    private static string Notifying(string write) =>
        $"WITH written AS ({write} RETURNING name) SELECT pg_notify('{ProvidersChannel}', @origin) FROM written;";

    private static async Task<bool> WrittenAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken);
    }

    private void OnProvidersNotification(string origin)
    {
        if (origin != _origin)
        {
            ProvidersChanged?.Invoke();
        }
    }
}
