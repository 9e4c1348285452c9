using Npgsql;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Hosting;

/// <summary>A PostgreSQL server that answers but has no such database is a plain startup problem, like every other one.</summary>
[Collection(PostgresTests.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresStartupProblemTests(PostgresServer server) : IDisposable
{
    private readonly string _directory = ProxyHost.NewDataDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_database_that_does_not_exist_is_named_with_what_to_do()
    {
        var missing = new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Database = "tokenproxy_no_such_database" };

        var run = await ProxyCommand.RunAsync(
        [
            "--urls=http://127.0.0.1:0", .. ProxyCommand.Isolated(_directory),
            "--TokenProxy:Store:Kind=Postgres", $"--TokenProxy:Store:ConnectionString={missing.ConnectionString}",
        ]);

        StartupProblemTests.AssertPlainProblems(run,
            $"PostgreSQL database tokenproxy_no_such_database on {missing.Host}:{missing.Port} cannot be opened: the database does not exist.");
    }

    [Fact]
    public async Task A_login_refused_on_the_listen_connection_string_is_blamed_on_that_setting()
    {
        await using var database = await server.CreateDatabaseAsync();
        var listen = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = "tokenproxy_no_such_role" };

        var run = await ProxyCommand.RunAsync(
        [
            "--urls=http://127.0.0.1:0", .. ProxyCommand.Isolated(_directory),
            "--TokenProxy:Store:Kind=Postgres", $"--TokenProxy:Store:ConnectionString={database.ConnectionString}",
            $"--TokenProxy:Store:ListenConnectionString={listen.ConnectionString}",
        ]);

        StartupProblemTests.AssertPlainProblems(run, "the server refused the user name or password in TokenProxy:Store:ListenConnectionString.");
    }
}
