using System.Net;
using Microsoft.Extensions.Options;
using TokenProxy.Providers;

namespace TokenProxy.Hosting;

/// <summary>
/// Checks the whole <c>TokenProxy</c> section at startup and reports every problem at once, so a
/// misconfigured proxy never starts half-working (YARP's ConfigValidator does the same).
/// </summary>
internal sealed class TokenProxyOptionsValidator(PresetLibrary presets, IConfiguration configuration) : IValidateOptions<TokenProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenProxyOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicBase) || (publicBase.Scheme != "http" && publicBase.Scheme != "https"))
        {
            errors.Add($"TokenProxy:PublicBaseUrl: '{options.PublicBaseUrl}' is not an absolute http(s) URL.");
        }

        ValidateStore(options.Store, errors);

        if (options.Refresh.Skew < TimeSpan.Zero || options.Refresh.Skew > TimeSpan.FromHours(1))
        {
            errors.Add($"TokenProxy:Refresh:Skew: {options.Refresh.Skew} must be between 00:00:00 and 01:00:00.");
        }

        ValidateRefreshTiming(options.Refresh, errors);

        if (options.Refresh.MaxReplayBodyBytes is < 0 or > 64 * 1024 * 1024)
        {
            errors.Add($"TokenProxy:Refresh:MaxReplayBodyBytes: {options.Refresh.MaxReplayBodyBytes} must be between 0 and 67108864 (64 MiB).");
        }

        if (options.Admin.Token is { Length: > 0 and < 16 })
        {
            errors.Add("TokenProxy:Admin:Token: must be at least 16 characters.");
        }

        foreach (var (client, settings) in options.Clients)
        {
            if (settings.Key is not { Length: >= 32 })
            {
                errors.Add($"TokenProxy:Clients:{client}:Key: must be at least 32 characters (for example: openssl rand -base64 32).");
            }
        }

        foreach (var origin in options.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                errors.Add($"TokenProxy:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port]).");
            }
        }

        // docs/architecture.md §6, C17: reachable from other machines only with both admin and data plane protected.
        var listen = ListenAddresses().ToList();
        foreach (var url in listen.Where(url => !IsListenAddress(url)))
        {
            errors.Add($"Urls: '{url}' is not a valid listen address (http:// or https://, a host, and a port 1–65535, for example http://127.0.0.1:5080).");
        }

        var exposed = listen.Where(url => IsListenAddress(url) && !IsLoopbackListen(url)).ToList();
        if (exposed.Count > 0 && (string.IsNullOrEmpty(options.Admin.Token) || !options.Clients.Values.Any(c => !string.IsNullOrEmpty(c.Key))))
        {
            errors.Add($"Urls: {string.Join(", ", exposed)} can be reached from other machines. Listening there needs TokenProxy:Admin:Token and at least one " +
                "TokenProxy:Clients:{name}:Key, so that neither the admin surface nor people's tokens are open to the network; or listen on 127.0.0.1.");
        }

        ProviderCatalog.Resolve(options.Providers, presets, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The <c>TokenProxy:Store</c> checks.</summary>
    private static void ValidateStore(StoreOptions store, List<string> errors)
    {
        if (!store.IsSqlite && !store.IsPostgres)
        {
            errors.Add($"TokenProxy:Store:Kind: '{store.Kind}' is not supported; use {StoreOptions.Sqlite} or {StoreOptions.Postgres}.");
            return;
        }

        if (!store.IsPostgres)
        {
            return;
        }

        if (store.MaxStaleness < TimeSpan.Zero || store.MaxStaleness > TimeSpan.FromDays(1))
        {
            errors.Add($"TokenProxy:Store:MaxStaleness: {store.MaxStaleness} must be between 00:00:00 and 1.00:00:00.");
        }

        if (string.IsNullOrWhiteSpace(store.ConnectionString))
        {
            errors.Add("TokenProxy:Store:ConnectionString: required with Kind Postgres (for example: Host=db;Database=tokenproxy;Username=tokenproxy;Password=…).");
        }

        foreach (var (key, value) in new[] { ("ConnectionString", store.ConnectionString), ("ListenConnectionString", store.ListenConnectionString) })
        {
            try
            {
                _ = value is null ? null : new Npgsql.NpgsqlConnectionStringBuilder(value);
            }
            catch (ArgumentException e)
            {
                // The message names the bad keyword; it never echoes the string, which may hold a password.
                errors.Add($"TokenProxy:Store:{key}: not a valid PostgreSQL connection string ({e.Message}).");
            }
        }
    }

    private IEnumerable<string> ListenAddresses()
    {
        var urls = (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>();
        return urls.Concat(endpoints);
    }

    /// <summary>
    /// An address Kestrel can listen on, read as Kestrel reads it (<see cref="BindingAddress"/>): port 0 asks for any free
    /// port; Kestrel takes a port above 65535 and only fails when it binds, with an exception that names no address.
    /// </summary>
    private static bool IsListenAddress(string url)
    {
        try
        {
            var address = BindingAddress.Parse(url);
            return (address.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || address.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
                && (address.IsUnixPipe || (address.Host.Length > 0 && address.Port is >= 0 and <= IPEndPoint.MaxPort));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>True for localhost and loopback addresses; false for wildcards (*, +, 0.0.0.0, [::]) and anything else.</summary>
    private static bool IsLoopbackListen(string url)
    {
        var at = url.IndexOf("://", StringComparison.Ordinal);
        var host = at < 0 ? url : url[(at + 3)..];
        host = host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)] : host.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }

    /// <summary>
    /// Timers, timeouts and the per-endpoint semaphore take these values as they are: a zero <c>PeriodicTimer</c>
    /// period or <c>SemaphoreSlim</c> count would crash at run time instead of being named at startup.
    /// </summary>
    private static void ValidateRefreshTiming(RefreshOptions refresh, List<string> errors)
    {
        CheckRange("Timeout", refresh.Timeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), "00:00:01", "00:10:00", errors);
        CheckRange("UnauthorizedBackoff", refresh.UnauthorizedBackoff, TimeSpan.Zero, TimeSpan.FromHours(1), "00:00:00", "01:00:00", errors);
        CheckRange("BackgroundInterval", refresh.BackgroundInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), "00:00:01", "1.00:00:00", errors);
        CheckRange("IdleRefreshAfter", refresh.IdleRefreshAfter, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365), "00:01:00", "365.00:00:00", errors);
        if (refresh.MaxConcurrentPerEndpoint is < 1 or > 64)
        {
            errors.Add($"TokenProxy:Refresh:MaxConcurrentPerEndpoint: {refresh.MaxConcurrentPerEndpoint} must be between 1 and 64.");
        }
    }

    private static void CheckRange(string key, TimeSpan value, TimeSpan min, TimeSpan max, string minText, string maxText, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add($"TokenProxy:Refresh:{key}: {value} must be between {minText} and {maxText}.");
        }
    }
}
