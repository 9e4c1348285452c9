using Npgsql;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>One test's own database on the <see cref="PostgresServer"/>; dropped when disposed.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly PostgresServer _server;

    internal PostgresDatabase(PostgresServer server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public Task ExecuteAsync(string sql) => PostgresServer.ExecuteAsync(ConnectionString, sql);

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Polls <paramref name="sql"/> (a boolean query) until it is true; for what another session or process does.</summary>
    public async Task WaitUntilAsync(string sql, string what, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(10);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await ScalarAsync<bool>(sql))
        {
            Assert.True(watch.Elapsed < limit, $"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await _server.DropDatabaseAsync(Name);
}
