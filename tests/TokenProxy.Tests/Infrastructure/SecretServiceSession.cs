using System.Diagnostics;
using TokenProxy.Vault.Keychains;
using Xunit.Abstractions;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// A real Secret Service for the keychain tests, never the user's: a private D-Bus session bus (<c>dbus-daemon --session
/// --fork</c>) and a GNOME Keyring on it, unlocked with a throwaway password given on its input, its home and XDG
/// directories in a temporary folder. Stopped and deleted at the end. Missing programs fail the tests, loudly, naming the
/// packages (CI installs them); a developer without them may set <c>TOKENPROXY_SKIP_SECRET_SERVICE_TESTS=1</c>, and then
/// each test says it did not run and why. CI clears that variable.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretServiceSession : IAsyncLifetime
{
    public const string SkipVariable = "TOKENPROXY_SKIP_SECRET_SERVICE_TESTS";

    private static readonly string[] Programs = ["dbus-daemon", "gnome-keyring-daemon", "secret-tool", "dbus-send"];

    private readonly List<int> _daemons = [];
    private string? _root;

    /// <summary>The private bus; empty when the session could not start.</summary>
    public string BusAddress { get; private set; } = string.Empty;

    /// <summary>Why the tests cannot run here (a missing program); null when they can.</summary>
    public string? Missing { get; private set; }

    public async Task InitializeAsync()
    {
        var missing = Programs.Where(p => Which(p) is null).ToList();
        if (missing.Count > 0)
        {
            Missing = $"The keychain tests need a real Secret Service and found no {string.Join(", ", missing)} on PATH. " +
                "Install them (Debian: apt-get install -y --no-install-recommends gnome-keyring libsecret-tools dbus).";
            return;
        }

        _root = Directory.CreateTempSubdirectory("tokenproxy-keyring-").FullName;
        var home = Path.Combine(_root, "keyring-home");
        var environment = HomeEnvironment(home);
        var bus = (await RunAsync("dbus-daemon", environment, null, "--session", "--print-address=1", "--print-pid=1", "--fork"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        BusAddress = bus[0];
        _daemons.Add(int.Parse(bus[1], System.Globalization.CultureInfo.InvariantCulture));
        environment["DBUS_SESSION_BUS_ADDRESS"] = BusAddress;

        // --unlock reads the password on standard input and creates the default ("login") keyring, unlocked, with it.
        await RunAsync("gnome-keyring-daemon", environment, "throwaway-keyring-password", "--unlock", "--components=secrets");
        // --start finds that daemon (through its control socket in XDG_RUNTIME_DIR) and has it take its name on the bus.
        await RunAsync("gnome-keyring-daemon", environment, null, "--start", "--components=secrets");
        var owner = await RunAsync("dbus-send", environment, null, "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
            "org.freedesktop.DBus.GetConnectionUnixProcessID", "string:org.freedesktop.secrets");
        _daemons.Add(int.Parse(owner.Split("uint32", 2)[1].Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task DisposeAsync()
    {
        // The keyring first, then its bus; each only by the id this session started.
        foreach (var id in Enumerable.Reverse(_daemons))
        {
            try
            {
                using var daemon = Process.GetProcessById(id);
                daemon.Kill();
                daemon.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        if (_root is not null)
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// True when the Secret Service runs. Otherwise the test fails naming what to install, or, with
    /// <see cref="SkipVariable"/> set, writes why it did not run and returns false.
    /// </summary>
    public bool IsRunning(ITestOutputHelper output)
    {
        if (Missing is null)
        {
            return true;
        }

        if (Environment.GetEnvironmentVariable(SkipVariable) is not { Length: > 0 })
        {
            Assert.Fail($"{Missing} Set {SkipVariable}=1 to skip them on a machine without them.");
        }

        var reason = $"Not run ({SkipVariable} is set): {Missing}";
        output.WriteLine(reason);
        Console.Error.WriteLine(reason);
        return false;
    }

    /// <summary>
    /// What a process started in this session needs: the private bus, and a home and XDG directories of its own under
    /// <paramref name="home"/>, so its default data and config directories are there and nothing of the user's is touched.
    /// </summary>
    public Dictionary<string, string> EnvironmentFor(string home)
    {
        var environment = HomeEnvironment(home);
        environment["DBUS_SESSION_BUS_ADDRESS"] = BusAddress;
        return environment;
    }

    /// <summary>The store's entry in this session's keyring, read and written as TokenProxy does (through secret-tool).</summary>
    internal IKeychain Entry(string name) =>
        new SecretServiceKeychain(name, environment: new Dictionary<string, string?> { ["DBUS_SESSION_BUS_ADDRESS"] = BusAddress });

    private static Dictionary<string, string> HomeEnvironment(string home)
    {
        var runtime = Path.Combine(home, ".run");
        Directory.CreateDirectory(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["XDG_CONFIG_HOME"] = Path.Combine(home, ".config"),
            ["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share"),
            ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"),
            ["XDG_RUNTIME_DIR"] = runtime,
        };
    }

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);

    /// <summary>Runs a program of the session as TokenProxy runs secret-tool; its output, or an exception with its message.</summary>
    private static async Task<string> RunAsync(string program, Dictionary<string, string> environment, string? input, params string[] arguments)
    {
        var result = await KeychainTool.RunAsync(program, arguments, input, environment.ToDictionary(e => e.Key, string? (e) => e.Value), CancellationToken.None)
            ?? throw new InvalidOperationException($"{program} is not installed.");
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.Error}");
    }
}
