using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TokenProxy.Vault.Keychains;

/// <summary>
/// Runs a keychain's command-line tool (<c>secret-tool</c>, <c>security</c>) with the secret on standard input only:
/// a command line and an environment can be read by other users of the machine (<c>ps</c>, <c>/proc</c>).
/// </summary>
internal static partial class KeychainTool
{
    /// <summary>A tool waiting on a prompt nobody answers (a locked keyring asking for its password) is stopped after this.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The tool's answer; null when the tool is not installed (not on PATH).</summary>
    public static async Task<KeychainToolResult?> RunAsync(
        string tool, IEnumerable<string> arguments, string? input, IReadOnlyDictionary<string, string?>? environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new KeychainUnavailableException($"{tool} could not be started.");
        }
        catch (Win32Exception)
        {
            return null;
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                if (input is not null)
                {
                    await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token);
                }

                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The tool exited without reading its input; its exit code and message say why.
            }

            try
            {
                await process.WaitForExitAsync(timeout.Token);
                return new KeychainToolResult(process.ExitCode, await output, await error);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new KeychainUnavailableException(
                    $"{tool} did not answer within {Timeout.TotalSeconds:F0} s; a locked keychain may be waiting for its password in a prompt nobody sees. " +
                    "Unlock it, then start again.");
            }
        }
    }

    /// <summary>
    /// The first line of a tool's message, fit to quote: anything that looks like a vault key, and the secret itself when
    /// known, replaced. A tool has no reason to echo its input, but its message goes to logs and terminals.
    /// </summary>
    public static string Quote(string message, string? secret)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
        foreach (var part in secret?.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) ?? [])
        {
            line = line.Replace(part, "[vault key]", StringComparison.Ordinal);
        }

        line = Base64Key().Replace(line, "[vault key]");
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    // 32 bytes in base64: 43 characters and one '='.
    [GeneratedRegex("[A-Za-z0-9+/]{43}=")]
    private static partial Regex Base64Key();
}
