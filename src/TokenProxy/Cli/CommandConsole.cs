namespace TokenProxy.Cli;

/// <summary>Where a command reads and writes: the process's console, or a test's readers and writers.</summary>
internal sealed record CommandConsole(TextReader In, TextWriter Out, TextWriter Error)
{
    /// <summary>Says what was wrong, then how to use the commands (all of it when the command itself is unknown); usage exit code.</summary>
    public async Task<int> UsageAsync(string problem, bool full = false)
    {
        await Error.WriteLineAsync(problem);
        await Error.WriteLineAsync(full ? CommandLine.Usage : "Usage: TokenProxy --help");
        return CommandLine.UsageError;
    }

    /// <summary>Writes rows under headers, each column as wide as its widest cell.</summary>
    public async Task TableAsync(string[] headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(headers))
        {
            await Out.WriteLineAsync(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
