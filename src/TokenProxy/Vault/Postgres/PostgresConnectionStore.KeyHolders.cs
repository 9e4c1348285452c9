namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore : IKeyHolders
{
    // Times from the database's clock: instances on several hosts compare them, and their clocks may differ.
    public Task RecordKeysAsync(string instance, IReadOnlyList<string> keyIds, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO key_holders (instance, key_ids, seen_at) VALUES (@instance, @key_ids, now())
            ON CONFLICT (instance) DO UPDATE SET key_ids = excluded.key_ids, seen_at = excluded.seen_at;
            """);
        command.Parameters.AddWithValue("instance", instance);
        command.Parameters.AddWithValue("key_ids", string.Join(' ', keyIds));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return true;
    });

    public Task ForgetAsync(string instance, CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM key_holders WHERE instance = @instance OR seen_at < now() - interval '1 day';");
        command.Parameters.AddWithValue("instance", instance);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return true;
    });

    public Task<IReadOnlyList<KeyHolder>> KeyHoldersAsync(TimeSpan seenWithin, CancellationToken cancellationToken) => GuardAsync<IReadOnlyList<KeyHolder>>(async () =>
    {
        // Within a while of the database's own start, every record from before it counts too: instances renew theirs only
        // once they see it back.
        await using var command = _dataSource.CreateCommand("""
            SELECT instance, key_ids, now() - seen_at FROM key_holders
            WHERE seen_at > now() - @within OR (pg_postmaster_start_time() > now() - @within AND seen_at > pg_postmaster_start_time() - @within)
            ORDER BY instance;
            """);
        command.Parameters.AddWithValue("within", seenWithin);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var holders = new List<KeyHolder>();
        while (await reader.ReadAsync(cancellationToken))
        {
            holders.Add(new KeyHolder(reader.GetString(0), reader.GetString(1).Split(' ', StringSplitOptions.RemoveEmptyEntries), reader.GetTimeSpan(2)));
        }

        return holders;
    });

    // Each process keeps one listener session, named after its application name with "-listen" (the constructor).
    public Task<int> ConnectedInstancesAsync(CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%-listen';");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    });
}
