using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// The built TokenProxy.dll as a separate operating-system process (<c>dotnet TokenProxy.dll --urls … --TokenProxy:…</c>),
/// for what one process cannot show: several instances on one database, and an instance killed outright. Its console
/// log is captured; ASP.NET Core's "Executing endpoint" lines are on, so a test can see requests reach the data plane
/// (the "Request starting" lines are kept quiet by the proxy: they carry URLs, and a callback URL carries a code).
/// </summary>
internal sealed partial class ProxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _awaitedLines = new(StringComparer.Ordinal);
    private readonly string _dataDirectory;
    private readonly bool _ownsDataDirectory;
    private int _requestsStarted;

    private ProxyProcess(Process process, string dataDirectory, bool ownsDataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public int Id => _process.Id;

    /// <summary>Proxied requests this process has begun to handle (its "Executing endpoint" lines for the data plane).</summary>
    public int ProxiedRequestsStarted => Volatile.Read(ref _requestsStarted);

    public string Output => string.Join('\n', _output);

    /// <summary>The instance's own data directory (SQLite database, key folder).</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>Completes with the first output line containing <paramref name="text"/>, whether it came already or comes later.</summary>
    public Task<string> WaitForLineAsync(string text)
    {
        var line = _awaitedLines.GetOrAdd(text, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_output.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } seen)
        {
            line.TrySetResult(seen);
        }

        return line.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private void Receive(string line)
    {
        _output.Enqueue(line);
        foreach (var (text, waiter) in _awaitedLines)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                waiter.TrySetResult(line);
            }
        }
    }

    /// <summary>Starts an instance on a free loopback port and returns once it listens (its vault and store are ready by then).</summary>
    public static Task<ProxyProcess> StartAsync(IDictionary<string, string?> settings, string vaultKey) => StartAsync(settings, vaultKey, null, null);

    /// <param name="settings">Configuration keys over the defaults (loopback, own data directory and key file).</param>
    /// <param name="vaultKey"><c>TOKENPROXY_VAULT_KEY</c>; null: not set, so the key comes from the key file or the keychain.</param>
    /// <param name="environment">More environment variables (a session bus address, a home directory).</param>
    /// <param name="dataDirectory">An existing data directory, kept after disposal; null: a new one, deleted after.</param>
    public static async Task<ProxyProcess> StartAsync(
        IDictionary<string, string?> settings, string? vaultKey, IDictionary<string, string>? environment, string? dataDirectory)
    {
        var directory = AppContext.BaseDirectory;
        var ownsDataDirectory = dataDirectory is null;
        dataDirectory ??= ProxyHost.NewDataDirectory();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(directory, "TokenProxy.dll"));
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["TokenProxy:DataDirectory"] = dataDirectory,
            ["TokenProxy:Vault:KeyFile"] = ProxyHost.KeyFileFor(dataDirectory),
            ["Logging:LogLevel:Microsoft.AspNetCore.Routing.EndpointMiddleware"] = "Information",
            // The proxy names the console formatter itself, so its options are read (FirstRunTests checks the timestamp).
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        foreach (var (key, value) in all)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        if (vaultKey is null)
        {
            start.Environment.Remove("TOKENPROXY_VAULT_KEY");
        }
        else
        {
            start.Environment["TOKENPROXY_VAULT_KEY"] = vaultKey;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // Several processes start at once on a small CI machine; without PGO instrumentation they are ready sooner.
        start.Environment["DOTNET_TieredPGO"] = "0";

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var proxy = new ProxyProcess(process, dataDirectory, ownsDataDirectory);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            proxy.Receive(line);
            if (ListeningOn().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
            else if (line.Contains("Executing endpoint 'TokenProxy data plane'", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref proxy._requestsStarted);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                proxy.Receive(line);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"TokenProxy exited before listening:\n{proxy.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            proxy.Address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }

        proxy.Client = new HttpClient { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(60) };
        return proxy;
    }

    /// <summary>SIGKILL: no shutdown, no cleanup; the kernel closes its sockets, which is all PostgreSQL sees.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        if (_ownsDataDirectory)
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
