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

    private static bool IsOption(string argument) => argument.StartsWith('-') && argument != "-";
}
