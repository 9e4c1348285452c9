using System.Text.Json;

namespace TokenProxy.Cli;

/// <summary><c>providers list</c>: every provider the proxy knows, configured or preset, with its credential kinds, from <c>GET /admin/api/providers</c>.</summary>
internal static class ProvidersCommand
{
    public static async Task<int> RunAsync(CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        if (arguments.Words is not ["providers", "list"])
        {
            return await console.UsageAsync("providers: the command is 'providers list'.");
        }

        await using var target = await AdminTarget.ConnectAsync(arguments, console, cancellationToken);
        if (target is null)
        {
            return CommandLine.UsageError;
        }

        if (await target.SendAsync(HttpMethod.Get, "/admin/api/providers", console, json: null, cancellationToken) is not { } providers)
        {
            return target.FailureCode;
        }

        await console.TableAsync(
            ["NAME", "CAN CONNECT", "API BASE URL", "CONNECT URL", "KINDS"],
            [.. providers.EnumerateArray().Select(p => new[]
            {
                p.GetProperty("name").GetString()!,
                CanConnect(p),
                p.GetProperty("apiBaseUrl").GetString()!,
                p.GetProperty("connectUrl").GetString()!,
                string.Join(",", p.GetProperty("credentialKinds").EnumerateArray().Select(k => k.GetString())),
            })]);
        return 0;
    }

    /// <summary>A provider without OAuth2 never connects: its API keys or Basic credentials are imported.</summary>
    private static string CanConnect(JsonElement provider) =>
        provider.GetProperty("configured").GetBoolean() ? "yes"
        : provider.GetProperty("setup").ValueKind == JsonValueKind.Null && provider.GetProperty("credentialKinds").EnumerateArray().Any(k => k.GetString() == "clientcredentials")
            ? "yes (client credentials)"
        : provider.GetProperty("redirectUri").ValueKind == JsonValueKind.Null ? "no (import only)"
        : "no (set ClientId)";
}
