using Microsoft.Data.Sqlite;

namespace TokenProxy.Vault.Sqlite;

internal sealed partial class SqliteConnectionStore
{
    // SQLite primary result codes (https://sqlite.org/rescode.html): what the file system or the disk refuses, not
    // what the statement got wrong.
    private const int SqlitePerm = 3;
    private const int SqliteBusy = 5;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoErr = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    /// <summary>
    /// The file cannot be used as it is now: a read-only file system or file, a full disk, an I/O error, a file that
    /// cannot be opened, or another writer holding it past the busy timeout. SQLite rolls the failed statement back, so
    /// what is stored stays as it was. A constraint or a syntax error is not an outage.
    /// </summary>
    internal static bool IsOutage(Exception e) =>
        e is SqliteException s && (s.SqliteErrorCode & 0xFF) is SqlitePerm or SqliteBusy or SqliteReadOnly or SqliteIoErr or SqliteFull or SqliteCantOpen;

    private Task<T> ReadGuardAsync<T>(Func<Task<T>> operation) => _availability.RunAsync(operation, IsOutage, write: false);

    private Task<T> WriteGuardAsync<T>(Func<Task<T>> operation) =>
        _availability.RunAsync(operation, IsOutage, write: true, () => ProbeWriteAsync(CancellationToken.None));

    private Task WriteGuardAsync(Func<Task> operation) =>
        _availability.RunAsync(operation, IsOutage, write: true, () => ProbeWriteAsync(CancellationToken.None));

    /// <summary>
    /// Ready when the file reads and, after a write failed, when a write succeeds again: a read-only or full file still
    /// reads, and must not look ready while every refresh or import fails. The probe runs only during such an outage.
    /// </summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadGuardAsync(async () =>
            {
                await using var connection = await OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM connections;";
                return await command.ExecuteScalarAsync(cancellationToken);
            });
            if (_availability.IsDownOnWrite)
            {
                await _availability.RunAsync(() => ProbeWriteAsync(cancellationToken), IsOutage, write: true);
            }

            return true;
        }
        catch (Exception e) when (e is StoreUnavailableException or SqliteException)
        {
            return false;
        }
    }

    /// <summary>
    /// A write that always reaches the disk and changes nothing: the schema version rewritten with its own value, which
    /// rewrites the file's first page.
    /// </summary>
    private async Task ProbeWriteAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        var version = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        command.CommandText = $"PRAGMA user_version = {version};";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, long>> GetVersionsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        ReadGuardAsync<IReadOnlyDictionary<string, long>>(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            // One statement whatever the count: the ids travel as one JSON array parameter.
            command.CommandText = "SELECT id, version FROM connections WHERE id IN (SELECT value FROM json_each($ids));";
            command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(ids));
            var versions = new Dictionary<string, long>(ids.Count, StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versions[reader.GetString(0)] = reader.GetInt64(1);
            }

            return versions;
        });
}
