using TokenProxy.Cli;

namespace TokenProxy.Tests.Cli;

/// <summary>A command as the executable runs it, in this process: its exit code and what it wrote.</summary>
internal sealed record CommandRun(int Code, string Output, string Error)
{
    public static async Task<CommandRun> RunAsync(string[] arguments, string? input = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLine.RunAsync(arguments, new StringReader(input ?? string.Empty), output, error, CancellationToken.None);
        return new CommandRun(code, output.ToString(), error.ToString());
    }

    public string All => Output + Error;
}
