using Npgsql;

namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore
{
    /// <summary>
    /// What waiting can fix: Npgsql marks as transient a server that cannot be reached or is restarting
    /// (<c>57P01 admin_shutdown</c>, <c>57P03 cannot_connect_now</c>), a connection broken mid-statement, and a pool
    /// exhausted by connection attempts that hang. Anything else (a wrong password, a missing table) is a bug or a
    /// configuration problem and stays what it is.
    /// </summary>
    internal static bool IsOutage(Exception e) => e is NpgsqlException { IsTransient: true };

    private Task<T> GuardAsync<T>(Func<Task<T>> operation) => _availability.RunAsync(operation, IsOutage, write: false);

    private Task GuardAsync(Func<Task> operation) => _availability.RunAsync(operation, IsOutage, write: false);

    /// <summary>
    /// When an outage starts, pooled connections are dead sockets: drop them, so that once the server is back no
    /// request picks up a dead one, fails, and makes the outage look as if it started again.
    /// </summary>
    private void ClearPools()
    {
        _dataSource.Clear();
        _lockSource.Clear();
    }

    public async Task<IReadOnlyDictionary<string, long>> GetVersionsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        await GuardAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand("SELECT id, version FROM connections WHERE id = ANY(@ids);");
            command.Parameters.AddWithValue("ids", ids.ToArray());
            var versions = new Dictionary<string, long>(ids.Count, StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versions[reader.GetString(0)] = reader.GetInt64(1);
            }

            return versions;
        });
}
