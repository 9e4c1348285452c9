namespace TokenProxy.Cli;

/// <summary>A command's words (<c>connections delete ID</c>) and, after them, the options that configure it (<c>--TokenProxy:…</c>).</summary>
internal sealed record CommandArguments(string[] Words, string[] Options)
{
    public static CommandArguments Parse(string[] args)
    {
        // A lone '-' is a word: standard input in place of a file.
        var words = args.TakeWhile(a => a == "-" || !a.StartsWith('-')).ToArray();
        return new CommandArguments(words, args[words.Length..]);
    }
}
