using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for the tests of the shared store: <c>initdb</c> into a directory under /tmp, trust
/// authentication, 127.0.0.1 on a free port, stopped and deleted at the end. <c>initdb</c> refuses to run as root, so
/// as root the server programs run as the <c>postgres</c> user (<c>runuser -u postgres --</c>). With
/// <c>TOKENPROXY_TEST_POSTGRES</c> set (a connection string allowed to create databases), that server is used instead.
/// Missing binaries fail the tests, loudly: CI installs them, and a silent skip would hide the whole shared store.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string ExternalServerVariable = "TOKENPROXY_TEST_POSTGRES";

    private string? _root;
    private string? _binaries;
    private string? _serverOptions;

    /// <summary>A superuser connection to the <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(ExternalServerVariable) is { Length: > 0 } external)
        {
            AdminConnectionString = external;
            return;
        }

        _binaries = FindBinaries() ?? throw new InvalidOperationException(
            "The PostgreSQL tests need the PostgreSQL server programs (initdb, pg_ctl) and found none in /usr/lib/postgresql/*/bin " +
            $"or on PATH. Install them (Debian: apt-get install -y postgresql), or set {ExternalServerVariable} to the connection " +
            "string of a server where the tests may create databases.");
        _root = (await RunAsync("mktemp", "-d", "/tmp/tokenproxy-pg-XXXXXX")).Trim();
        var data = Path.Combine(_root, "data");
        await RunAsync(Path.Combine(_binaries, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C");

        // A throwaway cluster: durability settings off for speed. Three proxy processes with their pools, and every
        // store the tests open, fit in 300 connections.
        var port = ProxyHost.FreePort();
        _serverOptions = $"-p {port} -c listen_addresses=127.0.0.1 -k {_root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        await StartAsync();
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    public async Task DisposeAsync()
    {
        if (_root is null || _binaries is null)
        {
            return;
        }

        try
        {
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), "-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>True when this fixture runs the server itself, so a test may stop and start it.</summary>
    public bool CanRestart => _root is not null;

    /// <summary>
    /// Stops the server as an operator's restart does (<c>pg_ctl stop -m fast</c>: sessions are told and closed, clients
    /// then get "connection refused"); the test must <see cref="StartAsync"/> it again before it ends.
    /// </summary>
    public Task StopAsync() =>
        RunAsync(Path.Combine(Binaries, "pg_ctl"), "-D", Path.Combine(Root, "data"), "-m", "fast", "-w", "-t", "60", "stop");

    /// <summary>Starts the server (again), on the same port, and returns once it accepts connections.</summary>
    public Task StartAsync() =>
        RunAsync(Path.Combine(Binaries, "pg_ctl"), "-D", Path.Combine(Root, "data"), "-l", Path.Combine(Root, "server.log"), "-w", "-t", "60", "-o", _serverOptions!, "start");

    private string Root => _root ?? throw new InvalidOperationException(
        $"Only the cluster this fixture starts can be stopped and started; unset {ExternalServerVariable} to run this test.");

    private string Binaries => _binaries ?? throw new InvalidOperationException($"No PostgreSQL binaries; unset {ExternalServerVariable} to run this test.");

    /// <summary>A new, empty database with a random name; dropped when disposed.</summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync()
    {
        var name = "tokenproxy_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await ExecuteAsync(AdminConnectionString, $"CREATE DATABASE {name};");
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true };
        return new PostgresDatabase(this, name, builder.ConnectionString);
    }

    internal Task DropDatabaseAsync(string name) =>
        // FORCE ends whatever sessions are still connected (a killed proxy's, a pool not yet closed).
        ExecuteAsync(AdminConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE);");

    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Debian keeps the server programs in /usr/lib/postgresql/{version}/bin, off PATH; the newest wins.</summary>
    private static string? FindBinaries()
    {
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0)
                .FirstOrDefault()
            : null;
        return debian ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
    }

    /// <summary>Runs a server program as the postgres user (directly when not root) and returns its output; throws with its output on failure.</summary>
    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The postgres user may not be allowed into the test's working directory.
            WorkingDirectory = Path.GetTempPath(),
        };
        if (Environment.IsPrivilegedProcess)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", "postgres", "--", program, .. arguments])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = program;
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed (exit code {process.ExitCode}): {await output}{await error}");
        }

        return await output;
    }
}
