using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenProxy.Hosting;

namespace TokenProxy.Vault;

/// <summary>
/// <c>TokenProxy vault export FILE</c> and <c>TokenProxy vault import FILE</c>: move connections between stores with
/// their secrets still sealed (<see cref="VaultTransfer"/>). The store is the one the server would open, from the same
/// configuration sources, so <c>--TokenProxy:Store:Kind=Postgres --TokenProxy:Store:ConnectionString=…</c> after the
/// file name picks the other side. Exit codes: 0 done, 1 some rows not imported, 2 usage, configuration or store error.
/// </summary>
internal static class VaultCommand
{
    private const string Usage = """
        Usage:
          TokenProxy vault export FILE [--TokenProxy:Store:...=...]   write every connection, tokens still sealed, to a new FILE (mode 0600)
          TokenProxy vault import FILE [--TokenProxy:Store:...=...]   add FILE's connections to the store; ids already there are skipped
        The store is the one the server would use (appsettings.json, TokenProxy__* variables, --TokenProxy:... arguments).
        From SQLite to PostgreSQL, with the proxy stopped:
          dotnet run --project src/TokenProxy -- vault export connections.json
          dotnet run --project src/TokenProxy -- vault import connections.json --TokenProxy:Store:Kind=Postgres --TokenProxy:Store:ConnectionString="Host=...;Database=...;Username=...;Password=..."
        """;

    public static bool Matches(string[] args) => args is ["vault", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args is not ["vault", "export" or "import", var file, ..] || file.StartsWith('-'))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        // The server's configuration sources, in the server's order; nothing else of the host is built.
        using var configuration = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args[3..] }).Configuration;
        var options = configuration.GetSection(TokenProxyOptions.SectionName).Get<TokenProxyOptions>() ?? new TokenProxyOptions();
        var errors = new List<string>();
        TokenProxyOptionsValidator.ValidateStore(options.Store, errors);
        if (errors.Count > 0)
        {
            await error.WriteLineAsync("Fix the configuration:\n  - " + string.Join("\n  - ", errors));
            return 2;
        }

        var store = ConnectionStoreFactory.Create(options, new DataPaths(Options.Create(options)), TimeProvider.System, NullLoggerFactory.Instance);
        try
        {
            await store.InitializeAsync(cancellationToken);
            return args[1] == "export"
                ? await ExportAsync(store, file, output, error, cancellationToken)
                : await ImportAsync(store, file, output, error, cancellationToken);
        }
        catch (VaultStartupException e)
        {
            await error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            // Driver messages name the host and the problem, never the password.
            await error.WriteLineAsync($"Cannot use {store.Description}: {e.Message}");
            return 2;
        }
        finally
        {
            await (store switch
            {
                IAsyncDisposable a => a.DisposeAsync(),
                IDisposable d => Dispose(d),
                _ => ValueTask.CompletedTask,
            });
        }
    }

    private static async Task<int> ExportAsync(IConnectionStore store, string file, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Sealed tokens are useless without the key, but the rows also name people's accounts.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(file, options);
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"Cannot create {file}: {e.Message} An export never overwrites a file.");
            return 2;
        }

        int count;
        await using (stream)
        {
            count = await VaultTransfer.ExportAsync(store, stream, TimeProvider.System, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }

        await output.WriteLineAsync($"Exported {count} connection(s) from {store.Description} to {file}. Their tokens are still sealed: importing them needs no key, using them needs this vault key.");
        return 0;
    }

    private static async Task<int> ImportAsync(IConnectionStore store, string file, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        VaultImportResult result;
        try
        {
            await using var stream = File.OpenRead(file);
            result = await VaultTransfer.ImportAsync(store, stream, cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Cannot import {file}: {e.Message}");
            return 2;
        }

        await output.WriteLineAsync(
            $"Imported {result.Imported} connection(s) into {store.Description}; {result.AlreadyPresent} were already there." +
            (result.KeyIds.Count > 0 ? $" Their tokens are sealed with vault key id {string.Join(", ", result.KeyIds)}: start TokenProxy there with that key." : string.Empty));
        if (result.Conflicts.Count == 0)
        {
            return 0;
        }

        await error.WriteLineAsync(
            $"Not imported, because another connection already has the provider and label: {string.Join(", ", result.Conflicts)}. " +
            "Rename or delete that connection and import again.");
        return 1;
    }

    private static ValueTask Dispose(IDisposable disposable)
    {
        disposable.Dispose();
        return ValueTask.CompletedTask;
    }
}
