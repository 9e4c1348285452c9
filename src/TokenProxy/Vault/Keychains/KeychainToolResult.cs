namespace TokenProxy.Vault.Keychains;

/// <summary>What a keychain command-line tool answered: its exit code, standard output (may hold the secret) and standard error.</summary>
internal sealed record KeychainToolResult(int ExitCode, string Output, string Error);
