using System.Diagnostics;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// The built TokenProxy.dll run once as a user runs it from a terminal (<c>dotnet TokenProxy.dll …</c>): its exit code,
/// standard output and standard error. No TokenProxy setting leaks in from the test's own environment, and the data
/// directory and key file are a throwaway folder unless the arguments say otherwise.
/// </summary>
internal static class ProxyCommand
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(
        IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null, string? input = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TokenProxy.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("TokenProxy", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input ?? string.Empty);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"TokenProxy {string.Join(' ', start.ArgumentList.Skip(1))} did not exit:\n{await output}\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>A data directory and key file of their own, so nothing touches the user's.</summary>
    public static string[] Isolated(string dataDirectory) =>
        [$"--TokenProxy:DataDirectory={dataDirectory}", $"--TokenProxy:Vault:KeyFile={ProxyHost.KeyFileFor(dataDirectory)}"];
}
