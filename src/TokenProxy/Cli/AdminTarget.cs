using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TokenProxy.Admin;
using TokenProxy.Hosting;
using TokenProxy.Tokens;
using TokenProxy.Webhooks;

namespace TokenProxy.Cli;

/// <summary>
/// The admin API a command talks to: the running proxy's, at its configured address, so a command never competes for
/// the store a proxy holds (a SQLite file is one process's); with no proxy answering there, the same server started in
/// this process on a loopback port of its own, opening the store itself, and stopped when the command ends.
/// </summary>
internal sealed class AdminTarget : IAsyncDisposable
{
    private readonly WebApplication? _server;

    private AdminTarget(HttpClient client, string description, WebApplication? server)
    {
        Client = client;
        Description = description;
        _server = server;
    }

    /// <summary>Sends the admin token when one is configured, and the CSRF header every state-changing call needs.</summary>
    public HttpClient Client { get; }

    /// <summary>"the proxy at http://…" or "the store (no proxy running at http://…)", for messages.</summary>
    public string Description { get; }

    /// <summary>The running proxy's admin API, or one started here; null when neither can be had (the reason is written to the console).</summary>
    public static async Task<AdminTarget?> ConnectAsync(CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken)
    {
        var (builder, problems) = ConfigurationFiles.Load(arguments.Options);
        if (builder is null)
        {
            await TokenProxyServer.FailAsync(console.Error, [.. problems]);
            return null;
        }

        var configuration = builder.Configuration;
        var token = configuration[$"{AdminOptions.SectionName}:Token"];
        var configured = RunningAddress(configuration);
        if (configured is { } address && await AnswersAsync(address, cancellationToken))
        {
            return new AdminTarget(NewClient(address, token), $"the proxy at {address}", server: null);
        }

        // Nothing of this server is reachable from elsewhere or does work of its own: loopback, any free port, no background
        // refresh, no webhook sending (a receiver that hangs would hold the command and its stop for 10 s a send).
        builder.Services.WithoutSending();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["AllowedHosts"] = "127.0.0.1",
            [$"{RefreshOptions.SectionName}:Background"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:Console:LogToStandardErrorThreshold"] = "Trace",
        });
        var server = await TokenProxyServer.StartAsync(builder, console.Error);
        if (server is null)
        {
            if (configured is not null)
            {
                await console.Error.WriteLineAsync($"No TokenProxy answered at {configured}. If one runs elsewhere, give its address with --urls.");
            }

            return null;
        }

        var own = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AdminTarget(NewClient(new Uri(own), token), "the store (no proxy was running)", server);
    }

    /// <summary>Whether a TokenProxy answers <c>/healthz</c> at the configured address, for commands that must not open the store beside it.</summary>
    public static async Task<Uri?> FindRunningAsync(IConfiguration configuration, CancellationToken cancellationToken) =>
        RunningAddress(configuration) is { } address && await AnswersAsync(address, cancellationToken) ? address : null;

    /// <summary>The first configured listen address, as a local client reaches it (a wildcard listen answers on loopback).</summary>
    private static Uri? RunningAddress(IConfiguration configuration)
    {
        var first = (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null)
        {
            return null;
        }

        var builder = new UriBuilder(first.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        if (builder.Host is "0.0.0.0" or "[::]" or "::")
        {
            builder.Host = "127.0.0.1";
        }

        return builder.Port == 0 ? null : new Uri(builder.Uri.GetLeftPart(UriPartial.Authority));
    }

    private static async Task<bool> AnswersAsync(Uri address, CancellationToken cancellationToken)
    {
        // No proxy there is a refused connection, answered at once; a proxy that just started on a busy machine can take seconds.
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await client.GetAsync("/healthz", cancellationToken);
            return response.IsSuccessStatusCode
                && JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.TryGetProperty("status", out _);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return false;
        }
    }

    private static HttpClient NewClient(Uri address, string? adminToken)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Add(AdminAccessFilter.CsrfHeader, "1");
        if (!string.IsNullOrEmpty(adminToken))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        }

        return client;
    }

    /// <summary>
    /// The exit code of a command whose call failed: <see cref="CommandLine.Failed"/>, or <see cref="CommandLine.UsageError"/>
    /// once the proxy answered that its store cannot be used.
    /// </summary>
    public int FailureCode { get; private set; } = CommandLine.Failed;

    /// <summary>
    /// One admin API call: the answer's JSON (an empty object for 204), or null when it failed, with the problem's title
    /// and detail written to the console's error stream.
    /// </summary>
    public async Task<JsonElement?> SendAsync(HttpMethod method, string path, CommandConsole console, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        HttpResponseMessage sent;
        try
        {
            sent = await Client.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            // The server closed the connection before it had the whole request: it refuses a body over its limit (30 MB)
            // that way, before reading it. The exception says nothing more useful, and never a value from the body.
            var size = json is null ? string.Empty : $" (a body of {System.Text.Encoding.UTF8.GetByteCount(json) / (1024 * 1024.0):F1} MB; the admin API takes at most 30 MB)";
            await console.Error.WriteLineAsync($"The request to {Description} failed: the connection closed while it was being sent{size}. ({e.HttpRequestError})");
            return null;
        }

        using var response = sent;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonElement? parsed = null;
        try
        {
            parsed = body.Length == 0 ? JsonDocument.Parse("{}").RootElement : JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            // Not the admin API's JSON (another program on that port, or a proxy in front): the status says enough.
        }

        if (response.IsSuccessStatusCode && parsed is not null)
        {
            return parsed;
        }

        // The proxy's store cannot be used: a store problem, as when the command opens the store itself.
        if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable
            && response.Headers.TryGetValues("TokenProxy-Error", out var codes) && codes.Contains("store_unavailable"))
        {
            FailureCode = CommandLine.UsageError;
        }

        var title = Text(parsed, "title") ?? response.ReasonPhrase;
        var detail = Text(parsed, "detail");
        // A detail that repeats its title ("Failed to refresh connection. You may need to reconnect.") is said once; the
        // provider's own error, when the answer carries one, is said too.
        var said = detail is not null && title is not null && detail.StartsWith(title, StringComparison.Ordinal) ? detail : $"{title} {detail}".TrimEnd();
        var provider = Text(parsed, "error") is { } error ? $" (the provider said {error}{(Text(parsed, "error_description") is { } described ? $": {described}" : string.Empty)})" : string.Empty;
        await console.Error.WriteLineAsync($"{(int)response.StatusCode} {said}{provider}");
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            // The admin token is the command's configuration: a configuration problem, as a wrong address is.
            FailureCode = CommandLine.UsageError;
            await console.Error.WriteLineAsync(Client.DefaultRequestHeaders.Authorization is null
                ? $"The admin API of {Description} refused this command: give it the proxy's admin token (TokenProxy:Admin:Token, for example TokenProxy__Admin__Token=…)."
                : $"The admin API of {Description} refused the admin token this command was given (TokenProxy:Admin:Token): it is not the running proxy's.");
        }

        return null;
    }

    private static string? Text(JsonElement? parsed, string name) =>
        parsed is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
    }
}
