using Microsoft.Extensions.Primitives;
using TokenProxy.Providers;

namespace TokenProxy.Hosting;

/// <summary>
/// Makes the <c>Providers</c> section live: when a watched configuration file changes, the section is checked again
/// as at startup (its keys, then the providers' validation) and, when clean, a new provider snapshot replaces the old;
/// when not, the change is refused with every problem logged and the running providers are kept (docs/architecture.md
/// §13). A file that does not parse or went missing refuses the change too, rather than reading as "no providers".
/// Every other setting is read once at startup; a mistake in one is logged at the change, since the next start will
/// refuse it.
/// </summary>
internal sealed class ProvidersReload(IConfiguration configuration, ProviderCatalog catalog, ILogger<ProvidersReload> logger) : IHostedService, IDisposable
{
    private readonly Lock _failuresLock = new();
    private readonly List<string> _loadFailures = [];
    private readonly List<(FileConfigurationProvider Provider, string Path)> _files = [];
    private IDisposable? _watch;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration is IConfigurationRoot root)
        {
            foreach (var file in root.Providers.OfType<FileConfigurationProvider>().Where(p => p.Source.ReloadOnChange))
            {
                // Set after the first load, so only a reload is caught here; at startup a broken file stops the start.
                file.Source.OnLoadException = context =>
                {
                    lock (_failuresLock)
                    {
                        _loadFailures.Add($"{context.Exception.Message} {context.Exception.InnerException?.Message}".Trim());
                    }

                    context.Ignore = true;
                };
                if (file.Source.Path is { } path && file.Source.FileProvider?.GetFileInfo(path) is { Exists: true } info)
                {
                    _files.Add((file, info.PhysicalPath ?? path));
                }
            }
        }

        _watch = ChangeToken.OnChange(configuration.GetReloadToken, () => Reload());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _watch?.Dispose();

    /// <summary>Reads the section again and applies it, or refuses it; the problems, empty when applied.</summary>
    internal IReadOnlyList<string> Reload()
    {
        List<string> problems;
        try
        {
            lock (_failuresLock)
            {
                problems = [.. _loadFailures];
                _loadFailures.Clear();
            }

            problems.AddRange(_files.Where(f => !File.Exists(f.Path)).Select(f => $"{f.Path}: the file is missing (a configuration file is removed at a restart)."));
            var found = ConfigurationCheck.Problems(configuration);
            problems.AddRange(found.Where(IsProviders));
            // Nothing else is read again, but a mistake saved now would stop the next start: said now, not then.
            foreach (var later in found.Where(p => !IsProviders(p)))
            {
                Log.RestartWouldRefuse(logger, ConfigurationCheck.Escaped(later));
            }

            if (problems.Count == 0)
            {
                var section = configuration.GetSection(ProvidersOptions.SectionName);
                var options = section.Get<ProvidersOptions>() ?? new ProvidersOptions();
                options.BindOneValueLists(section);
                options.KeepEmptyParameters(section);
                problems.AddRange(catalog.TryReplaceFile(options.Providers));
            }
        }
        catch (Exception e)
        {
            // The watcher's thread must not die with it: the running providers stay.
            problems = [$"{e.GetType().Name}: {e.Message}"];
        }

        if (problems.Count > 0)
        {
            Log.ProvidersChangeRefused(logger, problems.Count);
            foreach (var problem in problems)
            {
                Log.ProvidersChangeProblem(logger, ConfigurationCheck.Escaped(problem));
            }
        }

        return problems;
    }

    private static bool IsProviders(string problem) =>
        problem.StartsWith($"{ConfigurationCheck.SectionName}:Providers", StringComparison.OrdinalIgnoreCase);
}
