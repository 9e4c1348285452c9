namespace TokenProxy.Vault.Keychains;

/// <summary>
/// The freedesktop.org Secret Service (GNOME Keyring, KeePassXC, KWallet's bridge) on the D-Bus session bus, through
/// <c>secret-tool</c> from libsecret. The entry is the item whose attributes are <c>application=tokenproxy</c> and
/// <c>store=</c>the store's name; <c>secret-tool store</c> reads the secret from standard input.
/// </summary>
/// <param name="name">The store's name (<see cref="SystemKeychain.NameFor"/>).</param>
/// <param name="tool">The <c>secret-tool</c> executable; found on PATH by default.</param>
/// <param name="environment">Variables to set for the tool (a session bus address); the process's own otherwise.</param>
internal sealed class SecretServiceKeychain(string name, string tool = "secret-tool", IReadOnlyDictionary<string, string?>? environment = null) : IKeychain
{
    private const string Hint =
        "The Secret Service needs a D-Bus session bus (DBUS_SESSION_BUS_ADDRESS) and an unlocked keyring: run TokenProxy in a desktop session, " +
        "or on a server start both first (dbus-run-session, then gnome-keyring-daemon --unlock --components=secrets with the keyring password on its input). " +
        "Or use the key file: TokenProxy:Vault:KeySource=file.";

    private string[] Attributes => ["application", "tokenproxy", "store", name];

    public string Description => $"the Secret Service (secret-tool), entry '{name}'";

    public async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["lookup", .. Attributes], null, cancellationToken);
        return result switch
        {
            { ExitCode: 0 } => result.Output.Trim(),
            // secret-tool answers 1 and says nothing when no item matches (and, alas, when the keyring is locked).
            { ExitCode: 1, Error.Length: 0 } => null,
            _ => throw Unavailable("lookup", result, null),
        };
    }

    public async Task WriteAsync(string secret, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["store", $"--label=TokenProxy vault key ({name})", .. Attributes], secret, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw Unavailable("store", result, secret);
        }
    }

    public async Task<bool> DeleteAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["clear", .. Attributes], null, cancellationToken);
        return result switch
        {
            { ExitCode: 0 } => true,
            { ExitCode: 1, Error.Length: 0 } => false,
            _ => throw Unavailable("clear", result, null),
        };
    }

    private async Task<KeychainToolResult> RunAsync(string[] arguments, string? input, CancellationToken cancellationToken) =>
        await KeychainTool.RunAsync(tool, arguments, input, environment, cancellationToken)
        ?? throw new KeychainUnavailableException(
            $"The keychain cannot be used: {tool} is not installed. Install libsecret's command-line tool (Debian and Ubuntu: apt-get install libsecret-tools; " +
            "Fedora: dnf install libsecret) and a Secret Service such as gnome-keyring. Or use the key file: TokenProxy:Vault:KeySource=file.");

    private KeychainUnavailableException Unavailable(string verb, KeychainToolResult result, string? secret) =>
        new($"The keychain cannot be used: '{tool} {verb}' failed (exit code {result.ExitCode}: {KeychainTool.Quote(result.Error, secret)}). {Hint}");
}
