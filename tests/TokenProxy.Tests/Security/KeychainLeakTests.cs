using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Security;

/// <summary>
/// Threat: the vault key leaks on its way to the keychain (docs/architecture.md §6). A stand-in <c>secret-tool</c> first
/// on PATH records its command line and environment, where any user of the machine could read the key (<c>ps</c>,
/// <c>/proc/PID/environ</c>), and fails with a message that echoes its input, as a careless tool might: the key must be on
/// its standard input only, and the proxy's refusal to start must not repeat it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeychainLeakTests : IDisposable
{
    private const string Tool = """
        #!/bin/sh
        here=$(dirname "$0")
        printf '%s\n' "$*" >> "$here/arguments"
        env >> "$here/environment"
        case "$1" in
          lookup) exit 1 ;;
          store) cat > "$here/input"; echo "secret-tool: could not store '$(cat "$here/input")'" >&2; exit 1 ;;
        esac
        exit 2
        """;

    private readonly string _directory = ProxyHost.NewDataDirectory();

    private string Bin => Path.Combine(_directory, "bin");

    public void Dispose() => ProxyHost.DeleteDataDirectory(_directory);

    [Fact]
    public async Task The_new_key_goes_to_secret_tool_on_standard_input_only_and_its_failure_message_is_not_echoed_with_the_key()
    {
        Directory.CreateDirectory(Bin);
        var tool = Path.Combine(Bin, "secret-tool");
        await File.WriteAllTextAsync(tool, Tool.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = $"{Bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["DBUS_SESSION_BUS_ADDRESS"] = $"unix:path={Path.Combine(_directory, "bus")}",
        };

        var (code, output, error) = await ProxyCommand.RunAsync(
            [.. ProxyCommand.Isolated(Path.Combine(_directory, "data")), $"--urls=http://127.0.0.1:{ProxyHost.FreePort()}", "--TokenProxy:Vault:KeySource=keychain"],
            environment: environment);

        // The proxy generated a key for the empty store and handed it over: on standard input.
        var key = VaultKey.TryParse(await File.ReadAllTextAsync(Path.Combine(Bin, "input")), out _);
        Assert.NotNull(key);
        Assert.Equal(2, code);
        Assert.Contains("The keychain cannot be used: 'secret-tool store' failed (exit code 1: secret-tool: could not store '[vault key]')", error, StringComparison.Ordinal);
        Canary.AssertAbsent(key.ToBase64(), output + error, "the proxy's output");
        Canary.AssertAbsent(key.ToBase64(), await File.ReadAllTextAsync(Path.Combine(Bin, "arguments")), "secret-tool's command line");
        Canary.AssertAbsent(key.ToBase64(), await File.ReadAllTextAsync(Path.Combine(Bin, "environment")), "secret-tool's environment");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_directory, "data"), "*", SearchOption.AllDirectories))
        {
            Canary.AssertAbsent(key.ToBase64(), await File.ReadAllBytesAsync(file), file);
        }
    }
}
