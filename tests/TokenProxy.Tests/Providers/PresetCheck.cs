using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using TokenProxy.Providers;

namespace TokenProxy.Tests.Providers;

/// <summary>
/// The rules every shipped preset keeps, beyond what the catalog already refuses: each problem found in a preset directory,
/// as a line naming the preset, so that one run lists them all.
/// </summary>
internal static partial class PresetCheck
{
    // PresetLibrary ignores a key it does not know; a preset must not carry one, or it would ship a quirk that does nothing.
    private static readonly JsonSerializerOptions Strict = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <param name="directory">A directory of preset files.</param>
    /// <param name="withoutScopes">The OAuth presets whose provider takes its scopes from the app's registration, not from the request.</param>
    public static List<string> Problems(string directory, IReadOnlyCollection<string> withoutScopes)
    {
        var problems = new List<string>();
        var files = Directory.GetFiles(directory, "*.json");
        foreach (var twins in files.GroupBy(Path.GetFileNameWithoutExtension, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"{twins.Key}: {twins.Count()} preset files differ only in case; one would silently replace the other.");
        }

        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (!ProviderName().IsMatch(name))
            {
                problems.Add($"{name}: a preset file is named after its provider: lower-case letters, digits, '-' or '_'.");
            }

            try
            {
                JsonSerializer.Deserialize<ProviderOptions>(File.ReadAllText(file), Strict);
            }
            catch (JsonException e)
            {
                problems.Add($"{name}: {e.Message}");
            }
        }

        var library = new PresetLibrary(directory);
        var resolution = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>(), library);
        problems.AddRange(resolution.Problems);
        foreach (var (name, options) in library.Presets)
        {
            if (!resolution.Providers.TryGetValue(name, out var provider))
            {
                continue;
            }

            problems.AddRange(ProviderProblems(name, options, provider, withoutScopes.Contains(name)));
        }

        foreach (var twins in resolution.Providers.Values.GroupBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"{string.Join(", ", twins.Select(p => p.Name).Order(StringComparer.Ordinal))}: the same DisplayName '{twins.Key}'.");
        }

        return problems;
    }

    private static IEnumerable<string> ProviderProblems(string name, ProviderOptions options, ProviderDefinition provider, bool withoutScopes)
    {
        if (options.Preset is not null)
        {
            yield return $"{name}: Preset is read in configuration only; a preset file is complete on its own.";
        }

        if (options.DisplayName is null)
        {
            yield return $"{name}: DisplayName is missing.";
        }

        if (provider.Docs is null)
        {
            yield return $"{name}: Docs is missing: the provider's own https page on its OAuth flow or API authentication.";
        }

        foreach (var (key, url) in Urls(provider))
        {
            if (url.Scheme != Uri.UriSchemeHttps || ProviderCatalog.IsLoopback(url))
            {
                yield return $"{name}:{key}: '{url}' must be https to the provider, never loopback.";
            }
        }

        var templates = provider.Revocation?.Template is { } revocation ? provider.UrlTemplates.Append(new("Revocation:Url", revocation)) : provider.UrlTemplates;
        foreach (var (key, template) in templates)
        {
            // A template starts with https:// or with a token-response origin, which resolving holds to https.
            if (!template.Text.StartsWith("https://", StringComparison.Ordinal) && !template.Text.StartsWith('{'))
            {
                yield return $"{name}:{key}: '{template.Text}' must be https.";
            }

            foreach (var placeholder in template.Placeholders.Where(p => !provider.Parameters.ContainsKey(p)))
            {
                yield return $"{name}:{key}: {{{placeholder}}} is not declared under Parameters.";
            }
        }

        var used = templates.SelectMany(t => t.Value.Placeholders).Concat(provider.Headers.SelectMany(h => h.Placeholders.Select(p => p.Name))).ToHashSet(StringComparer.Ordinal);
        foreach (var unused in provider.Parameters.Keys.Where(p => !used.Contains(p)))
        {
            yield return $"{name}:Parameters:{unused}: declared but no URL uses it.";
        }

        var hostTemplated = provider.UrlTemplates.Values.Any(t => t.HostTemplated);
        if (hostTemplated && provider.AllowedHosts.Count == 0)
        {
            yield return $"{name}: a URL has a placeholder in its host, so AllowedHosts is required.";
        }

        if (!hostTemplated && provider.AllowedHosts.Count > 0)
        {
            yield return $"{name}: AllowedHosts without a placeholder in any host allows nothing; remove it.";
        }

        foreach (var host in provider.AllowedHosts)
        {
            if (host.Port is not null || host.AnyPort || host.Host == "localhost" || IPAddress.TryParse(host.Host.Trim('[', ']'), out _))
            {
                yield return $"{name}:AllowedHosts: '{host}' must be a provider's domain on the https port, not an address or a port.";
            }
        }

        if (provider.Scopes.Any(string.IsNullOrWhiteSpace))
        {
            yield return $"{name}:Scopes: has an empty scope.";
        }

        // Scopes belong to the OAuth user grant: a preset without an authorization endpoint (an imported key) asks for none.
        var grant = provider.AuthorizationUrl is not null || provider.UrlTemplates.ContainsKey("AuthorizationUrl") || provider.Issuer is not null;
        if (grant && provider.Scopes.Count == 0 && !withoutScopes)
        {
            yield return $"{name}:Scopes: the provider needs scopes requested, and the preset names none.";
        }

        if (provider.Scopes.Count > 0 && withoutScopes)
        {
            yield return $"{name}:Scopes: listed as taking its scopes from the app's registration, yet the preset requests some.";
        }

        // Keys and Basic credentials are imported as they are: no token request, no connect, no identity call ever runs for them.
        var oauth = grant || provider.TokenUrl is not null || provider.UrlTemplates.ContainsKey("TokenUrl") || provider.Identity is not null || provider.Scopes.Count > 0;
        if (provider.CredentialKinds.All(k => k.IsStatic()) && oauth)
        {
            yield return $"{name}: offers only {string.Join(" and ", provider.CredentialKinds)}, yet declares OAuth endpoints, scopes or an identity endpoint that nothing would use.";
        }
    }

    private static IEnumerable<(string Key, Uri Url)> Urls(ProviderDefinition provider)
    {
        var urls = new (string, Uri?)[]
        {
            ("Docs", provider.Docs),
            ("Issuer", provider.Issuer is null ? null : new Uri(provider.Issuer)),
            ("AuthorizationUrl", provider.AuthorizationUrl),
            ("TokenUrl", provider.TokenUrl),
            ("RevocationUrl", provider.RevocationUrl),
            ("Revocation:Url", provider.Revocation?.Url),
            (ProviderCatalog.ApiBaseUrlKey, provider.ApiBaseUrl),
            ("Identity:Url", provider.Identity?.Url),
        };
        foreach (var (key, url) in urls)
        {
            if (url is not null)
            {
                yield return (key, url);
            }
        }

        foreach (var parameter in provider.Parameters.Values.Where(p => p.Discovery is not null))
        {
            yield return ($"Parameters:{parameter.Name}:Discovery:Url", parameter.Discovery!.Url);
        }
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,62}\z")]
    private static partial Regex ProviderName();
}
