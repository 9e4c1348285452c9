using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using TokenProxy.Vault;

namespace TokenProxy.Hosting;

/// <summary>
/// Runs the server: configuration checked whole before anything is built or mapped, then started, the banner printed,
/// and run until shutdown. A problem a person can fix (configuration, vault key, store lock, an address in use) is one
/// plain list on standard error and exit code 2; anything else is a bug and keeps its stack trace.
/// </summary>
internal static class TokenProxyServer
{
    public const int ConfigurationError = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var (builder, problems) = ConfigurationFiles.Load(args);
        if (builder is null)
        {
            return await FailAsync(error, [.. problems]);
        }

        await using var app = await StartAsync(builder, error);
        if (app is null)
        {
            return ConfigurationError;
        }

        await StartupBanner.WriteAsync(app, output);
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Builds, maps and starts the server; null, with the problem written to <paramref name="error"/>, when a person must fix something first.</summary>
    public static async Task<WebApplication?> StartAsync(WebApplicationBuilder builder, TextWriter error)
    {
        var starting = new StartupWindow();
        builder.Services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>>(starting);
        var app = builder.Build();
        try
        {
            // Mapping validates every folder's options first (TokenProxyHost.MapTokenProxy).
            app.MapTokenProxy();
            starting.Open();
            await app.StartAsync();
            return app;
        }
        catch (Exception e) when (Explain(e, app.Configuration) is { } problem)
        {
            // Stopped, not only disposed: background services see their stopping token and end quietly.
            await app.StopAsync();
            await app.DisposeAsync();
            await FailAsync(error, problem);
            return null;
        }
        finally
        {
            starting.Close();
        }
    }

    /// <summary>The problem a person can fix, in their words; null for anything else (a bug keeps its stack trace).</summary>
    private static string[]? Explain(Exception e, IConfiguration configuration) => e switch
    {
        OptionsValidationException validation => [.. validation.Failures],

        VaultStartupException vault => [vault.Message],
        IOException { InnerException: AddressInUseException } => [$"Urls: {BindAddress(e, configuration)} is already in use by another program. " +
            "Stop that program, or choose another address with --urls (for example --urls http://127.0.0.1:5081), the Urls key or ASPNETCORE_URLS; " +
            "then set TokenProxy:PublicBaseUrl to match."],
        IOException { InnerException: System.Net.Sockets.SocketException socket } when e.Message.StartsWith("Failed to bind", StringComparison.Ordinal) =>
            [$"Urls: cannot listen on {BindAddress(e, configuration)} ({socket.Message}). Choose another address with --urls, the Urls key or ASPNETCORE_URLS."],
        _ => null,
    };

    /// <summary>Kestrel's message names the address ("Failed to bind to address http://…: address already in use.").</summary>
    private static string BindAddress(Exception e, IConfiguration configuration)
    {
        const string Prefix = "Failed to bind to address ";
        var message = e.Message;
        var end = message.LastIndexOf(": ", StringComparison.Ordinal);
        return message.StartsWith(Prefix, StringComparison.Ordinal) && end > Prefix.Length
            ? message[Prefix.Length..end]
            : configuration["urls"] ?? "the configured address";
    }

    public static async Task<int> FailAsync(TextWriter error, params string[] problems)
    {
        await error.WriteLineAsync(ConfigurationCheck.Format(problems));
        return ConfigurationError;
    }
}
