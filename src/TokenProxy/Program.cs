using TokenProxy.Cli;

return await CommandLine.RunAsync(args, Console.In, Console.Out, Console.Error, CancellationToken.None);

/// <summary>
/// The entry point, declared internal: the web SDK would otherwise make it public for test hosts, and nothing in this
/// application is public (docs/architecture.md, §3).
/// </summary>
internal sealed partial class Program;
