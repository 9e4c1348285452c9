using System.Text.Json;

namespace TokenProxy.Cli;

/// <summary><c>connections list|import|create|delete|refresh|revoke</c>: the admin API's connection calls, from a terminal.</summary>
internal static class ConnectionsCommand
{
    public static async Task<int> RunAsync(CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        // --scopes belongs to create, not to the configuration the other options make.
        var (scopes, options) = CommandArguments.Take(arguments.Options, "scopes");
        arguments = arguments with { Options = options };
        (HttpMethod Method, string Path)? call = arguments.Words switch
        {
            ["connections", "list"] => (HttpMethod.Get, "/admin/api/connections"),
            ["connections", "list", var workspace] => (HttpMethod.Get, $"/admin/api/connections?workspace={Uri.EscapeDataString(workspace)}"),
            ["connections", "list", var workspace, var endUser] =>
                (HttpMethod.Get, $"/admin/api/connections?workspace={Uri.EscapeDataString(workspace)}&endUser={Uri.EscapeDataString(endUser)}"),
            ["connections", "import", _] => (HttpMethod.Post, "/admin/api/connections"),
            ["connections", "create", _, _] => (HttpMethod.Post, "/admin/api/connections"),
            ["connections", "delete", var id] => (HttpMethod.Delete, $"/admin/api/connections/{Uri.EscapeDataString(id)}"),
            ["connections", "refresh", var id] => (HttpMethod.Post, $"/admin/api/connections/{Uri.EscapeDataString(id)}/refresh"),
            ["connections", "revoke", var id] => (HttpMethod.Post, $"/admin/api/connections/{Uri.EscapeDataString(id)}/revoke"),
            _ => null,
        };
        if (call is null)
        {
            return await console.UsageAsync(
                "connections: the commands are 'connections list [WORKSPACE [END-USER]]', 'connections import FILE|-', 'connections create PROVIDER LABEL [--scopes \"a b\"]', 'connections delete|refresh|revoke ID'.");
        }

        if (scopes is not null && arguments.Words[1] != "create")
        {
            return await console.UsageAsync("connections: --scopes goes with 'connections create PROVIDER LABEL'.");
        }

        List<string>? imports = null;
        if (arguments.Words is [_, "import", var file])
        {
            // Read before anything starts: a file that is not there needs no proxy to say so.
            imports = await ReadImportsAsync(file, console);
            if (imports is null)
            {
                return CommandLine.UsageError;
            }
        }

        await using var target = await AdminTarget.ConnectAsync(arguments, console, cancellationToken);
        if (target is null)
        {
            return CommandLine.UsageError;
        }

        if (imports is not null)
        {
            return await ImportAsync(target, imports, console, cancellationToken);
        }

        string? json = null;
        if (arguments.Words is [_, "create", var provider, var label])
        {
            // No secret in the body: the proxy runs the provider's client credentials grant with its own client id and secret.
            json = JsonSerializer.Serialize(new { provider, label, scopes = scopes?.Split(' ', StringSplitOptions.RemoveEmptyEntries) });
        }

        if (await target.SendAsync(call.Value.Method, call.Value.Path, console, json, cancellationToken) is not { } answer)
        {
            return target.FailureCode;
        }

        switch (arguments.Words[1])
        {
            case "list":
                // An empty list for a workspace nobody made is a typo, not "no connections yet".
                if (answer.GetArrayLength() == 0 && arguments.Words is [_, _, var workspace, ..]
                    && await target.SendAsync(HttpMethod.Get, $"/admin/api/workspaces/{Uri.EscapeDataString(workspace)}", console, null, cancellationToken) is null)
                {
                    return target.FailureCode;
                }

                await console.TableAsync(
                    ["ID", "PROVIDER", "LABEL", "WORKSPACE", "END USER", "STATUS", "EXPIRES"],
                    [.. answer.EnumerateArray().Select(Row)]);
                break;
            case "create":
                await console.Out.WriteLineAsync($"Created {Describe(answer)}.");
                break;
            case "delete":
                await console.Out.WriteLineAsync($"Deleted connection {arguments.Words[2]} and its secrets.");
                break;
            case "refresh":
                await console.Out.WriteLineAsync($"{answer.GetProperty("message").GetString()} {Describe(answer.GetProperty("connection"))}");
                break;
            default:
                var revocation = answer.GetProperty("revocation");
                await console.Out.WriteLineAsync(
                    $"{answer.GetProperty("message").GetString()} {Describe(answer.GetProperty("connection"))}. At the provider: {revocation.GetProperty("result").GetString()}" +
                    (revocation.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? $" - {reason.GetString()}" : "."));
                break;
        }

        return 0;
    }

    private static async Task<int> ImportAsync(AdminTarget target, List<string> imports, CommandConsole console, CancellationToken cancellationToken)
    {
        var failed = new List<int>();
        for (var item = 1; item <= imports.Count; item++)
        {
            if (await target.SendAsync(HttpMethod.Post, "/admin/api/connections", console, imports[item - 1], cancellationToken) is { } created)
            {
                await console.Out.WriteLineAsync($"Imported {Describe(created)}.");
            }
            else
            {
                failed.Add(item);
                if (imports.Count > 1)
                {
                    await console.Error.WriteLineAsync($"  (item {item} of {imports.Count}: not imported)");
                }
            }
        }

        // Each item is imported on its own: say which ones to fix and import again, the others are stored already.
        if (failed.Count > 0 && imports.Count > 1)
        {
            await console.Error.WriteLineAsync(
                $"Imported {imports.Count - failed.Count} of {imports.Count}; not imported: item{(failed.Count > 1 ? "s" : "")} {string.Join(", ", failed)} " +
                "(counted from 1). Import only those again once fixed.");
        }

        return failed.Count == 0 ? 0 : target.FailureCode;
    }

    /// <summary>One JSON object per connection to import, from a file or standard input (<c>-</c>), so no token is ever an argument.</summary>
    private static async Task<List<string>?> ReadImportsAsync(string file, CommandConsole console)
    {
        if (file != "-" && file.TrimStart() is ['{' or '[', ..] && !File.Exists(file))
        {
            // The JSON itself was given where a file name goes: not echoed (it holds a token), and not to be done at all.
            await console.Error.WriteLineAsync(
                "The FILE argument is JSON, not a file name. A token in an argument is seen in process lists and kept in " +
                "shell history: put the JSON in a file, or pipe it in with - (… | TokenProxy connections import -).");
            return null;
        }

        try
        {
            var text = file == "-" ? await console.In.ReadToEndAsync() : await File.ReadAllTextAsync(file);
            var root = JsonDocument.Parse(text).RootElement;
            return root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray().Select(e => e.GetRawText())] : [root.GetRawText()];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Neither the argument nor the exception's message (which quotes it) is shown: a token pasted where the file
            // name goes would be printed.
            var reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "there is no such file",
                UnauthorizedAccessException => "permission denied",
                _ => "it cannot be read",
            };
            await console.Error.WriteLineAsync($"Cannot read the file given to import ({reason}; relative names are from {Environment.CurrentDirectory}).");
        }
        catch (JsonException e)
        {
            // The line and position only: the parser's message quotes what it could not read, which may be a token.
            await console.Error.WriteLineAsync(
                $"{(file == "-" ? "Standard input" : file)} is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} of the line). " +
                """Expected {"provider":"github","accessToken":"…","label":"work","refreshToken":"…","expiresIn":3600} or an array of them.""");
        }

        return null;
    }

    private static string[] Row(JsonElement c) =>
    [
        c.GetProperty("id").GetString()!,
        c.GetProperty("provider").GetString()!,
        c.GetProperty("label").GetString()!,
        c.GetProperty("workspace").GetString() ?? "-",
        c.GetProperty("endUser") is { ValueKind: JsonValueKind.Object } endUser ? endUser.GetProperty("id").GetString()! : "-",
        c.GetProperty("status").GetString()!,
        c.GetProperty("expiresAt").ValueKind == JsonValueKind.String ? c.GetProperty("expiresAt").GetDateTimeOffset().ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "-",
    ];

    private static string Describe(JsonElement c) =>
        $"{c.GetProperty("id").GetString()} ({c.GetProperty("provider").GetString()}/{c.GetProperty("label").GetString()}, {c.GetProperty("status").GetString()})";
}
