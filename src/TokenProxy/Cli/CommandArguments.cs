namespace TokenProxy.Cli;

/// <summary>
/// A command's words (<c>connections delete ID</c>) and the options that configure it (<c>--TokenProxy:…</c>), before
/// or after the words. No words: the server.
/// </summary>
internal sealed record CommandArguments(string[] Words, string[] Options)
{
    public static CommandArguments Parse(string[] args)
    {
        // Options are read as the command-line configuration reads them: "--key=value", or "--key value" when the next
        // argument is not an option itself. The first other argument starts the command ("--config FILE vault export OUT").
        var start = 0;
        while (start < args.Length && IsOption(args[start]))
        {
            start += args[start].Contains('=') || start + 1 >= args.Length || IsOption(args[start + 1]) ? 1 : 2;
        }

        // A lone '-' is a word: standard input in place of a file.
        var count = args.Skip(start).TakeWhile(a => !IsOption(a)).Count();
        return new CommandArguments(args[start..(start + count)], [.. args[..start], .. args[(start + count)..]]);
    }

    /// <summary>
    /// The options given to a command that it does not read: not one of <paramref name="own"/>, <c>--config</c> or
    /// <c>--urls</c>, nor a configuration key (one with a ':', <c>--TokenProxy:…</c>, <c>--Logging:…</c>). A command reads
    /// no other key, so another option is a typo (<c>--scope</c> for <c>--scopes</c>) that would otherwise be ignored. One
    /// left without a value is not listed: the configuration's own check names it better.
    /// </summary>
    public IEnumerable<string> UnknownOptions(params string[] own)
    {
        for (var i = 0; i < Options.Length; i++)
        {
            if (!IsOption(Options[i]))
            {
                continue;
            }

            var name = Options[i].TrimStart('-').Split('=', 2)[0];
            var valued = Options[i].Contains('=', StringComparison.Ordinal) || (i + 1 < Options.Length && !IsOption(Options[i + 1]));
            if (valued && !name.Contains(':', StringComparison.Ordinal)
                && !own.Append("config").Append("urls").Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                yield return Options[i].Split('=', 2)[0];
            }
        }
    }

    /// <summary>A command's own option (<c>--NAME value</c> or <c>--NAME=value</c>) taken out; the rest are left for the configuration.</summary>
    public static (string? Value, string[] Others) Take(string[] options, string name)
    {
        string? value = null;
        var rest = new List<string>(options.Length);
        for (var i = 0; i < options.Length; i++)
        {
            if (options[i].StartsWith($"--{name}=", StringComparison.Ordinal))
            {
                value = options[i][$"--{name}=".Length..];
            }
            else if (options[i] == $"--{name}" && i + 1 < options.Length)
            {
                value = options[++i];
            }
            else
            {
                rest.Add(options[i]);
            }
        }

        return (value, [.. rest]);
    }

    private static bool IsOption(string argument) => argument.StartsWith('-') && argument != "-";
}
