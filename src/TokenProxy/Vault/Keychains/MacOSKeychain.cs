using System.Runtime.Versioning;

namespace TokenProxy.Vault.Keychains;

/// <summary>
/// The macOS login keychain through <c>security</c>, as a generic password of service <c>tokenproxy</c> and account
/// the store's name. Untested here (no macOS in CI): written to the documented behaviour of <c>security(1)</c>.
/// <c>add-generic-password -w SECRET</c> would show the secret to every user in the process list, so the command is
/// given on standard input to <c>security -i</c> (its interactive mode) instead. Reading uses
/// <c>find-generic-password -w</c>, which prints the secret on standard output only.
/// </summary>
/// <param name="name">The store's name (<see cref="SystemKeychain.NameFor"/>).</param>
[SupportedOSPlatform("macos")]
internal sealed class MacOSKeychain(string name) : IKeychain
{
    private const string Tool = "/usr/bin/security";
    private const string Service = "tokenproxy";

    // security(1): "The specified item could not be found in the keychain."
    private const int ItemNotFound = 44;

    public string Description => $"the macOS keychain (security), service '{Service}', account '{name}'";

    public async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["find-generic-password", "-s", Service, "-a", name, "-w"], null, cancellationToken);
        return result.ExitCode switch
        {
            0 => result.Output.Trim(),
            ItemNotFound => null,
            _ => throw Unavailable("find-generic-password", result, null),
        };
    }

    public async Task WriteAsync(string secret, CancellationToken cancellationToken)
    {
        // -U replaces an existing item. Base64 and commas need no quoting; the account is quoted.
        var command = $"add-generic-password -U -s {Service} -a {Quoted(name)} -l {Quoted($"TokenProxy vault key ({name})")} -w {secret}\n";
        var result = await RunAsync(["-i"], command, cancellationToken);
        if (result.ExitCode != 0 || result.Error.Length > 0)
        {
            throw Unavailable("add-generic-password", result, secret);
        }
    }

    public async Task<bool> DeleteAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["delete-generic-password", "-s", Service, "-a", name], null, cancellationToken);
        return result.ExitCode switch
        {
            0 => true,
            ItemNotFound => false,
            _ => throw Unavailable("delete-generic-password", result, null),
        };
    }

    private static string Quoted(string text) => $"\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    private static async Task<KeychainToolResult> RunAsync(string[] arguments, string? input, CancellationToken cancellationToken) =>
        await KeychainTool.RunAsync(Tool, arguments, input, null, cancellationToken)
        ?? throw new KeychainUnavailableException($"The keychain cannot be used: {Tool} is missing. Or use the key file: TokenProxy:Vault:KeySource=file.");

    private static KeychainUnavailableException Unavailable(string verb, KeychainToolResult result, string? secret) =>
        new($"The keychain cannot be used: 'security {verb}' failed (exit code {result.ExitCode}: {KeychainTool.Quote(result.Error, secret)}). " +
            "Unlock the login keychain (security unlock-keychain), or use the key file: TokenProxy:Vault:KeySource=file.");
}
