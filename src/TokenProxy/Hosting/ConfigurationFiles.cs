using Microsoft.Extensions.Configuration.Json;

namespace TokenProxy.Hosting;

/// <summary>
/// Where configuration is read from, lowest precedence first: built-in defaults, the <c>appsettings.json</c> beside
/// the executable, an <c>appsettings.json</c> in the current directory, the file named by <c>--config PATH</c>,
/// environment variables, the command line.
/// </summary>
internal static class ConfigurationFiles
{
    public const string ConfigOption = "--config";

    /// <summary>
    /// A builder whose configuration the server and every command read alike, checked whole
    /// (<see cref="ConfigurationCheck"/>); no builder, and every problem, when the configuration is not usable.
    /// </summary>
    public static (WebApplicationBuilder? Builder, IReadOnlyList<string> Problems) Load(string[] args)
    {
        if (OptionsWithoutValue(args) is { Count: > 0 } missing)
        {
            return (null, missing);
        }

        if (args.Count(IsConfigOption) > 1)
        {
            return (null, [$"{ConfigOption} is given more than once; give one file (the others' settings can go in it, or on the command line)."]);
        }

        if (ConfigFile(args) is { } file && !File.Exists(file))
        {
            // An empty value is what `--config "$FILE"` gives when the variable is unset.
            return (null, [string.IsNullOrWhiteSpace(file) ? $"{ConfigOption}: the file name is empty; give the path of a JSON file."
                : Directory.Exists(file) ? $"{ConfigOption}: {Path.GetFullPath(file)} is a directory; give the path of a JSON file."
                : $"{ConfigOption}: {Path.GetFullPath(file)} does not exist."]);
        }

        WebApplicationBuilder builder;
        try
        {
            builder = CreateBuilder(args);
        }
        catch (InvalidDataException e)
        {
            // A JSON file that does not parse: the message names the file, the parser's exception where it broke. Not the
            // parser's message: it quotes the text it could not read, which may be a client secret.
            var parser = e.InnerException?.InnerException as System.Text.Json.JsonException;
            var where = parser is { LineNumber: { } line, BytePositionInLine: { } position }
                ? $" It breaks on line {line + 1}, at byte {position + 1} of the line."
                : string.Empty;
            return (null, [$"{e.Message} {e.InnerException?.Message}{where}".Trim()]);
        }
        catch (FormatException e)
        {
            return (null, [$"The command line: {e.Message} Options are --Key=value or --Key value (see --help)."]);
        }

        var problems = ConfigurationCheck.Problems(builder.Configuration);
        return (problems.Count == 0 ? builder : null, problems);
    }

    private static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // The executable's own folder, not the current directory: `dotnet run --project src/TokenProxy` from the repository
        // root and `dotnet TokenProxy.dll` from anywhere read the same shipped appsettings.json.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var sources = builder.Configuration.Sources;
        var afterFiles = sources.Select((source, index) => (source, index)).LastOrDefault(s => s.source is JsonConfigurationSource).index + 1;
        var files = new List<IConfigurationSource>();
        var local = Path.GetFullPath("appsettings.json");
        if (!string.Equals(local, Path.Combine(AppContext.BaseDirectory, "appsettings.json"), StringComparison.Ordinal))
        {
            files.Add(JsonFile(local, optional: true));
        }

        if (ConfigFile(args) is { } path)
        {
            files.Add(JsonFile(Path.GetFullPath(path), optional: false));
        }

        // ASP.NET Core reads ASPNETCORE_* variables (ASPNETCORE_URLS) before every file, so a file's Urls would win over
        // them; they are read again after the files, so that environment variables win as the order above says.
        files.Add(new Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix = "ASPNETCORE_" });
        foreach (var file in files.AsEnumerable().Reverse())
        {
            sources.Insert(afterFiles, file);
        }

        return builder.AddTokenProxy();
    }

    /// <summary>
    /// Options written <c>--Key value</c> whose value is missing: the command line source would take the next option as
    /// the value (<c>--bogus --config cfg.json</c> reads Bogus=--config and loses the file), or ignore a last one.
    /// </summary>
    private static List<string> OptionsWithoutValue(string[] args)
    {
        var problems = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            if (i + 1 == args.Length)
            {
                problems.Add($"The command line: {args[i]} has no value; write {args[i]}=VALUE or {args[i]} VALUE (see --help).");
            }
            else if (args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                problems.Add($"The command line: {args[i]} has no value: it took '{args[i + 1]}'; write {args[i]}=VALUE or {args[i]} VALUE (see --help).");
            }
            else
            {
                i++;
            }
        }

        return problems;
    }

    /// <summary>Whether <paramref name="argument"/> is <c>--config</c> or <c>--config=…</c>, in any case, as configuration keys are.</summary>
    private static bool IsConfigOption(string argument) =>
        argument.Equals(ConfigOption, StringComparison.OrdinalIgnoreCase) || argument.StartsWith(ConfigOption + "=", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value of <c>--config PATH</c> or <c>--config=PATH</c> (<c>--Config</c> too), if given.</summary>
    public static string? ConfigFile(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].Equals(ConfigOption, StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(ConfigOption + "=", StringComparison.OrdinalIgnoreCase))
            {
                return args[i][(ConfigOption.Length + 1)..];
            }
        }

        return null;
    }

    private static JsonConfigurationSource JsonFile(string path, bool optional)
    {
        // Watched: the providers in it take effect without a restart (Hosting/ProvidersReload).
        var source = new JsonConfigurationSource { Path = path, Optional = optional, ReloadOnChange = true };
        source.ResolveFileProvider();
        return source;
    }
}
