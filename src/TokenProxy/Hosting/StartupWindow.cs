using Microsoft.Extensions.Options;

namespace TokenProxy.Hosting;

/// <summary>
/// While the server starts, the host's own "Hosting failed to start" error (with its stack trace) is held back:
/// <see cref="TokenProxyServer"/> reports a startup failure itself, as a plain message when a person can fix it and
/// with the full exception when not, so nothing is lost and nothing is printed twice.
/// </summary>
internal sealed class StartupWindow : IPostConfigureOptions<LoggerFilterOptions>
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private volatile bool _open;

    public void Open() => _open = true;

    public void Close() => _open = false;

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        // A rule naming a logging provider wins over one that names none, so the rule goes to each named provider too.
        foreach (var provider in options.Rules.Select(r => r.ProviderName).Append(null).Distinct().ToList())
        {
            // The host category writes only Debug lifecycle lines besides its errors; Information keeps those quiet as before.
            options.Rules.Add(new LoggerFilterRule(provider, HostCategory, LogLevel.Information, (_, _, level) => !_open || level != LogLevel.Error));
        }
    }
}
