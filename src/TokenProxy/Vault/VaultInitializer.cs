using Microsoft.Extensions.Options;
using TokenProxy.Vault.Keychains;

namespace TokenProxy.Vault;

/// <summary>
/// Opens the store and loads the vault key before the server accepts requests. It fails closed: a
/// missing, unreadable-by-policy or wrong key with sealed rows in the store stops startup with a
/// message that says what to do. It never generates a key over existing ciphertext and never deletes.
/// </summary>
internal sealed partial class VaultInitializer(
    IConnectionStore store, VaultKeyRing ring, VaultKeyRotator rotator, DataPaths paths, IConfiguration configuration, IOptions<StoreOptions> options,
    IOptions<VaultOptions> vault, IKeychain keychain, ILogger<VaultInitializer> logger, IProviderStore providers) : IHostedService
{
    public const string KeyVariable = "TOKENPROXY_VAULT_KEY";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(store, cancellationToken);
        var rows = await store.ListAsync(cancellationToken);
        var sealedKeyIds = rows
            .SelectMany(r => new[] { r.AccessToken, r.RefreshToken })
            .OfType<string>()
            .Select(SecretSealer.KeyIdOf)
            .ToHashSet(StringComparer.Ordinal);
        // A stored provider's client secret is sealed with the same keys: a key that cannot open it must not start either.
        var sealedProviders = (await providers.ListProvidersAsync(cancellationToken)).Select(p => p.ClientSecrets).OfType<string>().ToList();
        sealedKeyIds.UnionWith(sealedProviders.Select(SecretSealer.KeyIdOf));
        var sealedRows = rows.Count(r => r.AccessToken is not null || r.RefreshToken is not null) + sealedProviders.Count;

        var (keys, source, storage) = await LoadKeysAsync(sealedRows, cancellationToken);
        var missing = sealedKeyIds.Where(id => id is null || !keys.Any(k => k.Id == id)).ToList();
        if (missing.Count > 0)
        {
            // Counted per row: the rows some of whose secrets no given key opens, not every sealed row.
            bool Unopenable(string? value) => value is not null && missing.Contains(SecretSealer.KeyIdOf(value));
            var unopenable = rows.Count(r => Unopenable(r.AccessToken) || Unopenable(r.RefreshToken)) + sealedProviders.Count(Unopenable);
            throw new VaultStartupException(
                $"The vault key from {source} (key id {string.Join(", ", keys.Select(k => k.Id))}) cannot open the secrets in " +
                $"{store.Description}: {unopenable} of {sealedRows} sealed connection(s) and provider(s) use key id {string.Join(", ", missing.Select(m => m ?? "(unknown)"))}. " +
                $"Start TokenProxy with the key those rows were sealed with ({KeyVariable}, TokenProxy:Vault:KeyFile or the keychain). Nothing was changed or deleted.");
        }

        ring.Load(keys, source, storage);
        Log.VaultReady(logger, store.Description, source == KeyVariable && vault.Value.UsesKeychain
            ? $"{KeyVariable} (set, so it wins over TokenProxy:Vault:KeySource={VaultOptions.KeychainSource}: the keychain is not read)"
            : source, keys[0].Id, rows.Count);
        // Several keys in the file mean a rotation was interrupted: finish it.
        await rotator.ResumeAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Opens the store (creating or migrating its schema). What a person must fix (a server that cannot be reached, a
    /// database that does not exist, a refused login, a data directory that cannot be created) becomes a
    /// <see cref="VaultStartupException"/> naming the store by its description, which never holds a password.
    /// </summary>
    public static async Task OpenAsync(IConnectionStore store, CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
        }
        catch (Exception e) when (WhyNotOpened(e) is { } reason)
        {
            throw new VaultStartupException($"{store.Description} cannot be opened: {reason}", e);
        }
    }

    private static string? WhyNotOpened(Exception e) => e switch
    {
        // PostgreSQL error codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
        Npgsql.PostgresException { SqlState: "3D000" } => "the database does not exist. Create it (CREATE DATABASE …) or name another with Database= in TokenProxy:Store:ConnectionString.",
        Npgsql.PostgresException { SqlState: "28P01" or "28000" } => "the server refused the user name or password in TokenProxy:Store:ConnectionString.",
        Npgsql.PostgresException { SqlState: "42501" } => $"the user may not create or change the tables TokenProxy needs ({e.Message}).",
        Npgsql.NpgsqlException { IsTransient: true } or TimeoutException =>
            $"the server cannot be reached ({StoreAvailability.Describe(e)}). Start it, or correct Host and Port in TokenProxy:Store:ConnectionString.",
        StoreUnavailableException => e.Message,
        IOException or UnauthorizedAccessException =>
            $"its directory cannot be created or written ({e.Message.TrimEnd('.')}). Choose another with TokenProxy:DataDirectory, or give this user access.",
        _ => null,
    };

    private async Task<(IReadOnlyList<VaultKey> Keys, string Source, IVaultKeyStorage? Storage)> LoadKeysAsync(int sealedRows, CancellationToken cancellationToken)
    {
        if (EnvironmentKeys(configuration) is { } fromEnvironment)
        {
            return (fromEnvironment, KeyVariable, null);
        }

        if (vault.Value.UsesKeychain)
        {
            try
            {
                return await LoadFromKeychainAsync(new VaultKeychain(keychain), sealedRows, cancellationToken);
            }
            catch (KeychainUnavailableException e)
            {
                throw new VaultStartupException($"{e.Message} Nothing was changed.", e);
            }
        }

        var file = paths.KeyFile;
        if (File.Exists(file))
        {
            return (ReadKeyFile(file), file, new VaultKeyFile(file));
        }

        if (sealedRows > 0)
        {
            throw new VaultStartupException(
                $"No vault key: {KeyVariable} is not set and the key file {file} does not exist, but {store.Description} holds " +
                $"{sealedRows} connection(s) with sealed secrets. Restore the key file (or point TokenProxy:Vault:KeyFile at it), " +
                $"or set {KeyVariable}. A new key would not open them, so none was generated and nothing was deleted.");
        }

        if (options.Value.IsPostgres)
        {
            // Instances starting together on an empty shared store would each generate a key of their own and seal
            // with it; every other instance would then find those rows undecryptable.
            throw new VaultStartupException(
                $"No vault key: {KeyVariable} is not set and the key file {file} does not exist. Every instance sharing {store.Description} " +
                $"must use the same key, so none is generated here: create one (openssl rand -base64 32) and give it to every instance " +
                $"in {KeyVariable} or in a key file (TokenProxy:Vault:KeyFile, mode 0600).");
        }

        var key = VaultKey.Generate();
        try
        {
            WriteKeyFile(file, key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultStartupException(
                $"The vault key file {file} cannot be created ({e.Message}). Choose another place with TokenProxy:Vault:KeyFile, or give this user access.", e);
        }

        Log.KeyCreated(logger, file, key.Id);
        return ([key], file, new VaultKeyFile(file));
    }

    /// <summary>
    /// The key list a start would use (<see cref="KeyVariable"/>, the keychain when it is the key source, else the key file),
    /// without creating one: null when there is none yet.
    /// </summary>
    public static async Task<(IReadOnlyList<VaultKey> Keys, string Source)?> FindKeysAsync(
        IConfiguration configuration, VaultOptions vault, DataPaths paths, Func<VaultKeychain> keychain, CancellationToken cancellationToken)
    {
        if (EnvironmentKeys(configuration) is { } fromEnvironment)
        {
            return (fromEnvironment, KeyVariable);
        }

        if (vault.UsesKeychain)
        {
            var entry = keychain();
            return await entry.LoadAsync(cancellationToken) is { } stored ? (stored, entry.Description) : null;
        }

        return File.Exists(paths.KeyFile) ? (ReadKeyFile(paths.KeyFile), paths.KeyFile) : null;
    }

    private static VaultKey[]? EnvironmentKeys(IConfiguration configuration) =>
        configuration[KeyVariable] is { Length: > 0 } value ? ParseKeys(value.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries), KeyVariable) : null;

    /// <summary>The keys of a key file that only its owner can read; a file others can read or write is refused, not used.</summary>
    public static VaultKey[] ReadKeyFile(string file)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new VaultStartupException(
                $"The vault key file {file} can be read or written by other users (mode {ModeString(File.GetUnixFileMode(file))}). " +
                $"Restrict it to its owner: chmod 600 '{file}'. Nothing was changed.");
        }

        var lines = File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        return ParseKeys(lines, file);
    }

    /// <summary>Parses base64 keys, the first one active; every unusable one listed in one message, never quoted.</summary>
    public static VaultKey[] ParseKeys(string[] texts, string source)
    {
        var keys = new List<VaultKey>();
        var problems = new List<string>();
        for (var i = 0; i < texts.Length; i++)
        {
            if (VaultKey.TryParse(texts[i], out var problem) is { } key)
            {
                keys.Add(key);
            }
            else
            {
                problems.Add($"key {i + 1} {problem}");
            }
        }

        if (problems.Count > 0 || keys.Count == 0)
        {
            throw new VaultStartupException(
                $"The vault key in {source} is not usable ({(problems.Count > 0 ? string.Join("; ", problems) : "it is empty")}). " +
                "A key is 32 random bytes in base64, for example from: openssl rand -base64 32.");
        }

        return [.. keys];
    }

    /// <summary>Replaces the key file atomically: a new file (0600) is written beside it and renamed over it.</summary>
    public static void ReplaceKeyFile(string file, params VaultKey[] keys)
    {
        var temporary = $"{file}.{Guid.NewGuid():N}.tmp";
        WriteKeyFile(temporary, keys);
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>Writes a new key file readable by its owner only (0600), in a directory only the owner can enter.</summary>
    public static void WriteKeyFile(string file, params VaultKey[] keys)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(file, options);
        writer.WriteLine("# TokenProxy vault key(s): the first line seals new secrets. Losing this file loses every stored token.");
        foreach (var key in keys)
        {
            writer.WriteLine(key.ToBase64());
        }

        writer.Flush();
        // The key must be on disk before any row is sealed with it.
        ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
    }

    private static string ModeString(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
