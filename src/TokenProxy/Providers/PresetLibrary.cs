using System.Text.Json;

namespace TokenProxy.Providers;

/// <summary>The provider presets shipped in <c>config/providers/*.json</c> next to the executable.</summary>
internal sealed class PresetLibrary
{
    public PresetLibrary()
        : this(Path.Combine(AppContext.BaseDirectory, "config", "providers"))
    {
    }

    public PresetLibrary(string directory)
    {
        var presets = new Dictionary<string, ProviderOptions>(StringComparer.OrdinalIgnoreCase);
        if (Directory.Exists(directory))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
            {
                // A broken preset is a packaging bug, not a user mistake: fail loudly.
                var preset = JsonSerializer.Deserialize<ProviderOptions>(File.ReadAllText(file), ProviderJson.Options)
                    ?? throw new InvalidDataException($"Provider preset {file} is empty.");
                presets[Path.GetFileNameWithoutExtension(file)] = preset;
            }
        }

        Presets = presets;
    }

    public IReadOnlyDictionary<string, ProviderOptions> Presets { get; }
}
