using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenProxy.Hosting;
using TokenProxy.Providers;
using TokenProxy.Vault;
using TokenProxy.Vault.Keychains;

namespace TokenProxy.Cli;

/// <summary>
/// <c>vault export FILE</c> and <c>vault import FILE</c> move connections between stores with their secrets still sealed
/// (<see cref="VaultTransfer"/>); <c>vault rotate-key</c> re-seals every connection under a new key through the admin API.
/// Export and import open the store the server would open, from the same configuration sources, so
/// <c>--TokenProxy:Store:Kind=Postgres --TokenProxy:Store:ConnectionString=…</c> after the file name picks the other side.
/// <c>vault move-key --to keychain|file</c> moves the key list between the key file and the operating system's keychain.
/// </summary>
internal static class VaultCommand
{
    public static async Task<int> RunAsync(CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        switch (arguments.Words)
        {
            case ["vault", "rotate-key"]:
                return await RotateKeyAsync(arguments, console, cancellationToken);
            case ["vault", "move-key"]:
                return await MoveKeyAsync(arguments, console, cancellationToken);
            case ["vault", "export" or "import", _]:
                break;
            default:
                return await console.UsageAsync("vault: the commands are 'vault export FILE', 'vault import FILE', 'vault rotate-key' and 'vault move-key --to keychain|file'.");
        }

        var (builder, problems) = ConfigurationFiles.Load(arguments.Options);
        if (builder is null)
        {
            return await TokenProxyServer.FailAsync(console.Error, [.. problems]);
        }

        using var configuration = builder.Configuration;
        var options = configuration.GetSection(StoreOptions.SectionName).Get<StoreOptions>() ?? new StoreOptions();
        var (error, file) = (console.Error, arguments.Words[2]);
        var vault = configuration.GetSection(VaultOptions.SectionName).Get<VaultOptions>() ?? new VaultOptions();
        var paths = new DataPaths(Options.Create(configuration.GetSection(DataDirectoryOptions.SectionName).Get<DataDirectoryOptions>() ?? new()), Options.Create(vault));
        var store = ConnectionStoreFactory.Create(options, paths, TimeProvider.System, NullLoggerFactory.Instance);
        try
        {
            await VaultInitializer.OpenAsync(store, cancellationToken);
            if (arguments.Words[1] == "export")
            {
                return await ExportAsync(store, file, console, cancellationToken);
            }

            var keys = () => VaultInitializer.FindKeysAsync(
                configuration, vault, paths, () => new VaultKeychain(SystemKeychain.For(SystemKeychain.NameFor(vault, options, paths))), cancellationToken);
            return await ImportAsync(store, file, keys, console, cancellationToken);
        }
        catch (Exception e) when (e is VaultStartupException or KeychainUnavailableException)
        {
            // A SQLite file is one process's, held for as long as it runs: opening it says whether one holds it (a proxy
            // answering at the configured address may use another store, and then does not stand in the way).
            if (options.IsSqlite && e is VaultStartupException { InnerException: IOException } && await AdminTarget.FindRunningAsync(configuration, cancellationToken) is { } running)
            {
                await error.WriteLineAsync(
                    $"A TokenProxy is running at {running} and holds the SQLite store. Stop it, then run 'vault {arguments.Words[1]}' again: " +
                    "export and import read and write the store directly.");
            }

            await error.WriteLineAsync(e.Message);
            return CommandLine.UsageError;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            // Driver messages name the host and the problem, never the password.
            await error.WriteLineAsync($"Cannot use {store.Description}: {e.Message}");
            return CommandLine.UsageError;
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

    private static async Task<int> RotateKeyAsync(CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        await using var target = await AdminTarget.ConnectAsync(arguments, console, cancellationToken);
        if (target is null)
        {
            return CommandLine.UsageError;
        }

        if (await target.SendAsync(HttpMethod.Post, "/admin/api/vault/rotate-key", console, json: null, cancellationToken) is not { } rotation)
        {
            return target.FailureCode;
        }

        var retired = rotation.GetProperty("retiredKeyIds").EnumerateArray().Select(k => k.GetString()).ToList();
        var (active, resealed) = (rotation.GetProperty("activeKeyId").GetString(), rotation.GetProperty("resealed").GetInt32());
        await console.Out.WriteLineAsync(rotation.GetProperty("created").GetBoolean()
            ? $"New vault key id {active}; {resealed} connection(s) re-sealed with it" + (retired.Count > 0 ? $"; retired key id {string.Join(", ", retired)}." : ".")
            : $"Vault key id {active} (the first one configured) is active; {resealed} connection(s) re-sealed with it." + (retired.Count > 0
                ? $" No connection uses key id {string.Join(", ", retired)} any more: drop it from the key list ({VaultInitializer.KeyVariable} or the key file) everywhere TokenProxy runs on this store."
                : string.Empty)
              + (rotation.TryGetProperty("unusedKeyIds", out var unused) && unused.ValueKind == System.Text.Json.JsonValueKind.Array && unused.GetArrayLength() > 0
                ? $" Key id {string.Join(", ", unused.EnumerateArray().Select(k => k.GetString()))} comes after it and seals nothing: if it is an old key (retired by an earlier rotation), drop it from the key list; if it is a new one, put it first everywhere TokenProxy runs on this store, restart, and run this again."
                : string.Empty));
        return 0;
    }

    /// <summary>
    /// Copies the key list to the other place, reads it back from there, and only then deletes it where it was: at every
    /// step one of the two holds every key. Refuses, changing nothing, when the other place already holds other keys.
    /// </summary>
    private static async Task<int> MoveKeyAsync(CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        var (to, rest) = CommandArguments.Take(arguments.Options, "to");
        if (to is not (VaultOptions.KeychainSource or VaultOptions.FileSource))
        {
            return await console.UsageAsync(to is null
                ? $"vault move-key: say where to, --to {VaultOptions.KeychainSource} or --to {VaultOptions.FileSource}."
                : $"vault move-key: --to '{to}' is neither {VaultOptions.KeychainSource} nor {VaultOptions.FileSource}" +
                  $"{Spelling.DidYouMean(to, [VaultOptions.KeychainSource, VaultOptions.FileSource])}.");
        }

        var (builder, problems) = ConfigurationFiles.Load(rest);
        if (builder is null)
        {
            return await TokenProxyServer.FailAsync(console.Error, [.. problems]);
        }

        using var configuration = builder.Configuration;
        if (await AdminTarget.FindRunningAsync(configuration, cancellationToken) is { } running)
        {
            // It holds the key list in memory, and a rotation there would write it back to where it was.
            await console.Error.WriteLineAsync($"A TokenProxy is running at {running}. Stop it, then run 'vault move-key' again, and start it with the new key source.");
            return CommandLine.UsageError;
        }

        var vault = configuration.GetSection(VaultOptions.SectionName).Get<VaultOptions>() ?? new VaultOptions();
        var paths = new DataPaths(Options.Create(configuration.GetSection(DataDirectoryOptions.SectionName).Get<DataDirectoryOptions>() ?? new()), Options.Create(vault));
        var keychain = new VaultKeychain(SystemKeychain.For(SystemKeychain.NameFor(
            vault, configuration.GetSection(StoreOptions.SectionName).Get<StoreOptions>() ?? new StoreOptions(), paths)));
        try
        {
            return to == VaultOptions.KeychainSource
                ? await MoveToKeychainAsync(paths.KeyFile, keychain, console, cancellationToken)
                : await MoveToFileAsync(keychain, paths.KeyFile, console, cancellationToken);
        }
        catch (Exception e) when (e is VaultStartupException or KeychainUnavailableException or IOException or UnauthorizedAccessException)
        {
            await console.Error.WriteLineAsync($"{e.Message} The vault key was not moved.");
            return CommandLine.UsageError;
        }
    }

    private static async Task<int> MoveToKeychainAsync(string file, VaultKeychain keychain, CommandConsole console, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            await console.Error.WriteLineAsync($"There is no key file at {file} to move (TokenProxy:Vault:KeyFile names another).");
            return CommandLine.UsageError;
        }

        var keys = VaultInitializer.ReadKeyFile(file);
        if (await keychain.LoadAsync(cancellationToken) is { } held && !SameKeys(held, keys))
        {
            return await RefuseAsync(console, keychain.Description, held, file, keys);
        }

        await keychain.SaveAsync(keys, cancellationToken);
        // Deleted, not overwritten first: journaling and copy-on-write filesystems and SSDs write the new bytes elsewhere.
        File.Delete(file);
        await console.Out.WriteLineAsync(
            $"Moved vault key id {Ids(keys)} from {file} to {keychain.Description}, read it back from there, and deleted {file}. " +
            "The file was deleted, not overwritten: on today's filesystems and disks overwriting does not reach the old copy.");
        await console.Out.WriteLineAsync(
            $"Now set TokenProxy:Vault:KeySource={VaultOptions.KeychainSource} (appsettings.json: \"TokenProxy\": {{ \"Vault\": {{ \"KeySource\": \"keychain\" }} }}, " +
            "or TokenProxy__Vault__KeySource=keychain) before starting TokenProxy, and back the key up with the keychain.");
        return 0;
    }

    private static async Task<int> MoveToFileAsync(VaultKeychain keychain, string file, CommandConsole console, CancellationToken cancellationToken)
    {
        if (await keychain.LoadAsync(cancellationToken) is not { } keys)
        {
            await console.Error.WriteLineAsync($"{keychain.Description} holds no vault key to move.");
            return CommandLine.UsageError;
        }

        if (!File.Exists(file))
        {
            VaultInitializer.WriteKeyFile(file, [.. keys]);
        }
        else if (VaultInitializer.ReadKeyFile(file) is { } present && !SameKeys(present, keys))
        {
            return await RefuseAsync(console, file, present, keychain.Description, keys);
        }

        if (!SameKeys(VaultInitializer.ReadKeyFile(file), keys))
        {
            await console.Error.WriteLineAsync($"{file} does not read back as the key list just written to it; the keychain still holds it.");
            return CommandLine.Failed;
        }

        await keychain.DeleteAsync(cancellationToken);
        await console.Out.WriteLineAsync($"Moved vault key id {Ids(keys)} from {keychain.Description} to {file} (mode 0600), and removed it from the keychain.");
        await console.Out.WriteLineAsync(
            $"Now set TokenProxy:Vault:KeySource={VaultOptions.FileSource}, or remove the setting, before starting TokenProxy. Back the file up.");
        return 0;
    }

    private static async Task<int> RefuseAsync(CommandConsole console, string there, IReadOnlyList<VaultKey> held, string from, IReadOnlyList<VaultKey> moving)
    {
        await console.Error.WriteLineAsync(
            $"{there} already holds another vault key list for this store (key id {Ids(held)}; {from} has key id {Ids(moving)}). " +
            "Nothing was changed: find out which one the store's connections are sealed with (a start names the key id it needs) before removing either.");
        return CommandLine.Failed;
    }

    private static bool SameKeys(IReadOnlyList<VaultKey> a, IReadOnlyList<VaultKey> b) => a.Select(k => k.Id).SequenceEqual(b.Select(k => k.Id), StringComparer.Ordinal);

    private static string Ids(IReadOnlyList<VaultKey> keys) => string.Join(", ", keys.Select(k => k.Id));

    /// <summary>Writes the export to a new file (never over one), or with <c>-</c> to standard output, the message then to standard error.</summary>
    private static async Task<int> ExportAsync(IConnectionStore store, string file, CommandConsole console, CancellationToken cancellationToken)
    {
        int count;
        if (file == "-")
        {
            using var buffer = new MemoryStream();
            count = await VaultTransfer.ExportAsync(store, buffer, TimeProvider.System, cancellationToken);
            await console.Out.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            await console.Error.WriteLineAsync($"Exported {count} connection(s) from {store.Description} to standard output. {StillSealed}");
            return 0;
        }

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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = Directory.Exists(file) ? "it is a directory." : e.Message;
            await console.Error.WriteLineAsync($"Cannot create {file}: {why} An export never overwrites a file.");
            return CommandLine.UsageError;
        }

        await using (stream)
        {
            count = await VaultTransfer.ExportAsync(store, stream, TimeProvider.System, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }

        await console.Out.WriteLineAsync($"Exported {count} connection(s) from {store.Description} to {file}. {StillSealed}");
        return 0;
    }

    private const string StillSealed = "Their tokens are still sealed: importing them needs no key, using them needs this vault key.";

    /// <summary>Reads the file (<c>-</c>: standard input) whole and checks it, then its keys, and only then writes anything.</summary>
    private static async Task<int> ImportAsync(
        IConnectionStore store, string file, Func<Task<(IReadOnlyList<VaultKey> Keys, string Source)?>> findKeys, CommandConsole console, CancellationToken cancellationToken)
    {
        var (output, error) = (console.Out, console.Error);
        VaultImport read;
        try
        {
            if (Directory.Exists(file))
            {
                throw new IOException("it is a directory, not an export file.");
            }

            await using Stream stream = file == "-"
                ? new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await console.In.ReadToEndAsync(cancellationToken)))
                : File.OpenRead(file);
            read = await VaultTransfer.ReadAsync(stream, cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Cannot import {(file == "-" ? "standard input" : file)}: {e.Message}");
            return CommandLine.UsageError;
        }

        if (await UnopenableAsync(store, read.KeyIds, await findKeys(), cancellationToken) is { } refusal)
        {
            await error.WriteLineAsync(refusal + " Nothing was imported.");
            return CommandLine.UsageError;
        }

        var result = await VaultTransfer.ImportAsync(store, read, cancellationToken);
        await output.WriteLineAsync(
            $"Imported {result.Imported} connection(s) into {store.Description}; {result.AlreadyPresent} were already there." +
            (read.KeyIds.Count switch
            {
                0 => string.Empty,
                1 => $" Their tokens are sealed with vault key id {read.KeyIds[0]}: start TokenProxy there with that key.",
                _ => $" Their tokens are sealed with vault key ids {string.Join(", ", read.KeyIds)}: start TokenProxy there with all of them in its key list.",
            }));
        if (result.Conflicts.Count == 0)
        {
            return 0;
        }

        await error.WriteLineAsync(
            $"Not imported, because another connection already has the provider and label: {string.Join(", ", result.Conflicts)}. " +
            "Rename or delete that connection and import again.");
        return 1;
    }

    /// <summary>
    /// Why bringing in secrets sealed with <paramref name="keyIds"/> would leave a store TokenProxy refuses to start on (a
    /// start needs a key for every sealed row: VaultInitializer), or null. With a key list here, it must hold every one of
    /// them; with none yet (a new machine, its key copied afterwards), the store's own sealed rows must not need another key.
    /// </summary>
    private static async Task<string?> UnopenableAsync(
        IConnectionStore store, IReadOnlyList<string> keyIds, (IReadOnlyList<VaultKey> Keys, string Source)? keys, CancellationToken cancellationToken)
    {
        if (keys is { } found)
        {
            var missing = keyIds.Where(id => !found.Keys.Any(k => k.Id == id)).ToList();
            return missing.Count == 0 ? null
                : $"The file's connections are sealed with vault key id {string.Join(", ", missing)}, which {found.Source} (key id {Ids(found.Keys)}) " +
                  $"does not hold: after importing them, TokenProxy would refuse to start on {store.Description}. Add that key after the active one " +
                  $"({VaultInitializer.KeyVariable}=active,other, another line in the key file, or the keychain entry's list) wherever TokenProxy runs on this store, import again, " +
                  "then re-seal them under the active key with 'TokenProxy vault rotate-key' and drop the other key.";
        }

        // Both stores keep webhooks and providers beside the connections.
        var stored = (await VaultKeyRotator.KeyIdsInUseAsync(store, (IWebhookStore)store, (IProviderStore)store, cancellationToken)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var other = keyIds.Where(id => !stored.Contains(id)).ToList();
        return stored.Count == 0 || other.Count == 0 ? null
            : $"{store.Description} holds secrets sealed with vault key id {string.Join(", ", stored.Order(StringComparer.Ordinal))}, the file's with key id " +
              $"{string.Join(", ", other)}, and no key list is given here ({VaultInitializer.KeyVariable}, the key file or the keychain) to check that one " +
              "holds both. Run this with the store's key list, that key added after the active one.";
    }

    private static ValueTask Dispose(IDisposable disposable)
    {
        disposable.Dispose();
        return ValueTask.CompletedTask;
    }
}
