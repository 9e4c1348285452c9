using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenProxy.Providers;

/// <summary>
/// A provider entry as JSON, the way a preset file or the admin API writes it (the keys of configuration, any case), and
/// the one place that knows which of its keys are secrets: the rest is stored as plain JSON, the secrets sealed.
/// </summary>
internal static class ProviderJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The entry, secrets included; only for comparing two entries, never shown or stored.</summary>
    public static string Fingerprint(ProviderOptions entry) => JsonSerializer.Serialize(entry, Options);

    /// <summary>The entry without its secrets, as stored and shown.</summary>
    public static string WithoutSecrets(ProviderOptions entry)
    {
        var copy = JsonSerializer.Deserialize<ProviderOptions>(JsonSerializer.Serialize(entry, Options), Options)!;
        copy.ClientSecret = null;
        copy.ClientSecrets = null;
        return JsonSerializer.Serialize(copy, Options);
    }

    /// <summary>The entry's client secrets, newest first; empty when it has none.</summary>
    public static IReadOnlyList<string> SecretsOf(ProviderOptions entry) =>
        entry.ClientSecrets is { Length: > 0 } secrets ? secrets : string.IsNullOrEmpty(entry.ClientSecret) ? [] : [entry.ClientSecret];

    /// <summary>The entry read from its stored JSON, with its secrets (newest first) put back.</summary>
    public static ProviderOptions WithSecrets(string json, IReadOnlyList<string> secrets)
    {
        var entry = JsonSerializer.Deserialize<ProviderOptions>(json, Options) ?? new ProviderOptions();
        // One secret in its one-item form, several (a rotation under way) as the list, as an operator would write them.
        entry.ClientSecret = secrets.Count == 1 ? secrets[0] : null;
        entry.ClientSecrets = secrets.Count > 1 ? [.. secrets] : null;
        return entry;
    }

    /// <summary>
    /// The keys of <paramref name="json"/>, at any depth, that no provider setting reads (a typo the reader would ignore),
    /// as configuration paths: <c>Scopess</c>, <c>Revocation:Urll</c>, <c>Parameters:subdomain:Patern</c>.
    /// </summary>
    public static IEnumerable<string> UnknownKeys(JsonElement json) => UnknownKeys(json, typeof(ProviderOptions), prefix: "");

    private static IEnumerable<string> UnknownKeys(JsonElement json, Type options, string prefix)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var settings = options.GetProperties().ToDictionary(p => p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase);
        return json.EnumerateObject().SelectMany(p =>
            !settings.TryGetValue(p.Name, out var setting) ? [prefix + p.Name]
            : Section(setting) is { } section ? UnknownKeys(p.Value, section, $"{prefix}{p.Name}:")
            : Entries(setting) is { } entry && p.Value.ValueKind == JsonValueKind.Object
                ? p.Value.EnumerateObject().SelectMany(e => UnknownKeys(e.Value, entry, $"{prefix}{p.Name}:{e.Name}:"))
                : []);
    }

    /// <summary>The options class of a setting that is a section of settings (<c>Revocation</c>), or null.</summary>
    private static Type? Section(Type setting) =>
        setting.IsClass && setting != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(setting) ? setting : null;

    /// <summary>The options class of a setting that names sections of settings (<c>Parameters</c>), or null.</summary>
    private static Type? Entries(Type setting) =>
        setting.IsGenericType && setting.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? Section(setting.GetGenericArguments()[1]) : null;
}
