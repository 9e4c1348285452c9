using TokenProxy.Hosting;
using TokenProxy.Providers;

namespace TokenProxy.Cli;

/// <summary>
/// One executable: with no command it runs the server; otherwise a command for what people do from a terminal.
/// Exit codes: 0 done, 1 the operation failed (the message says why), 2 usage, configuration or store problem.
/// </summary>
internal static class CommandLine
{
    public const int Failed = 1;
    public const int UsageError = 2;

    public const string Usage = """
        Usage:
          TokenProxy [options]                          run the proxy (http://127.0.0.1:5080 by default)
          TokenProxy connections list [WS [END-USER]]   every connection (of a workspace, of one end user): id, provider, label, status, expiry
          TokenProxy connections import FILE|-          add connections from JSON ({"provider":…,"accessToken":…} or an array of them)
          TokenProxy connections create PROVIDER LABEL [--scopes "a b"]
                                                        a client-credentials connection: the proxy gets its token itself
          TokenProxy connections delete ID              remove a connection and its secrets
          TokenProxy connections refresh ID             refresh a connection's token now
          TokenProxy connections revoke ID              revoke at the provider and delete the secrets here
          TokenProxy providers list                     every known provider and whether it can connect
          TokenProxy vault export FILE                  write every connection, tokens still sealed, to a new FILE (mode 0600)
          TokenProxy vault import FILE                  add FILE's connections to the store; ids already there are skipped
          TokenProxy vault rotate-key                   new vault key, every connection re-sealed, old key retired
          TokenProxy vault move-key --to keychain|file  move the vault key from the key file into the operating system's keychain
                                                        (TokenProxy:Vault:KeySource=keychain), or back; stop the proxy first
          TokenProxy --help | --version

        Commands use the running proxy's admin API at its configured address (Urls), with TokenProxy:Admin:Token when
        one is set; with no proxy answering there they open the store themselves. vault export and import always open
        the store: stop a proxy using SQLite first.

        Options (the server and every command; before or after the command):
          --config PATH                 read PATH (JSON, like appsettings.json) too
          --urls URL                    where the proxy listens (default http://127.0.0.1:5080)
          --TokenProxy:KEY=VALUE        any setting, for example --TokenProxy:Store:Kind=Postgres
                                        --TokenProxy:Store:ConnectionString="Host=…;Database=…;Username=…;Password=…"
                                        --TokenProxy:Providers:NAME:ApiBaseUrl=https://api.example.com
          The server also takes --AllowedHosts and --environment; any other --NAME (a typo) is a usage error.

        Configuration, later sources winning: built-in defaults, appsettings.json beside the executable, appsettings.json
        in the current directory, --config PATH, environment variables (TokenProxy__Admin__Token=…, TOKENPROXY_VAULT_KEY),
        the command line. appsettings.sample.json in the repository shows every key.
        """;

    /// <summary>The host's own settings a person may give the server without a section (besides --config and --urls).</summary>
    private static readonly string[] ServerOptions = ["AllowedHosts", "environment"];

    /// <summary>An argument with one dash that is not the value of the option before it (<c>--Skew -00:00:01</c>).</summary>
    private static string? SingleDashOption(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var takesValue = i > 0 && args[i - 1].StartsWith("--", StringComparison.Ordinal) && !args[i - 1].Contains('=', StringComparison.Ordinal);
            if (args[i].Length > 1 && args[i][0] == '-' && args[i][1] != '-' && !takesValue)
            {
                return args[i];
            }
        }

        return null;
    }

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?") || args is ["help", ..])
        {
            await output.WriteLineAsync(Usage);
            return 0;
        }

        if (args.Contains("--version"))
        {
            await output.WriteLineAsync($"TokenProxy {ProductVersion.Text}");
            return 0;
        }

        var command = CommandArguments.Parse(args);
        var console = new CommandConsole(input, output, error);
        if (command.Words.Length == 0)
        {
            // The host would ignore a misspelt option (--urlz), or one with a single dash (-urls, which .NET reads only
            // when mapped), and listen where the person did not ask.
            if (SingleDashOption(args) is { } singleDash)
            {
                return await console.UsageAsync(
                    $"Unknown option '{singleDash}'{Spelling.DidYouMean("-" + singleDash, ServerOptions.Append("config").Append("urls").Select(o => $"--{o}"))}. " +
                    "Options start with two dashes: --config, --urls, --AllowedHosts, --environment and settings such as --TokenProxy:KEY=VALUE.");
            }

            if (command.UnknownOptions(ServerOptions).FirstOrDefault() is { } unknownOption)
            {
                var hint = Spelling.DidYouMean(unknownOption, ServerOptions.Append("config").Append("urls").Select(o => $"--{o}"));
                return await console.UsageAsync(
                    $"Unknown option '{unknownOption}'{hint}. Options are --config, --urls, --AllowedHosts, --environment and settings such as --TokenProxy:KEY=VALUE.");
            }

            return await TokenProxyServer.RunAsync(args, output, error);
        }

        string[] own = command.Words switch
        {
            ["connections", "create", ..] => ["scopes"],
            ["vault", "move-key", ..] => ["to"],
            _ => [],
        };
        if (command.UnknownOptions(own).FirstOrDefault() is { } unknown)
        {
            return await console.UsageAsync(
                $"{string.Join(' ', command.Words.Take(2))}: unknown option '{unknown}'. Options are {string.Concat(own.Select(o => $"--{o}, "))}--config, --urls and settings such as --TokenProxy:KEY=VALUE.");
        }

        return command.Words switch
        {
            ["connections", ..] => await ConnectionsCommand.RunAsync(command, console, cancellationToken),
            ["providers", ..] => await ProvidersCommand.RunAsync(command, console, cancellationToken),
            ["vault", ..] => await VaultCommand.RunAsync(command, console, cancellationToken),
            _ => await console.UsageAsync($"Unknown command '{command.Words[0]}'.", full: true),
        };
    }
}
