using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace TokenProxy.Providers;

/// <summary>
/// Every provider the proxy knows: the shipped presets, plus configured entries merged over them
/// (an entry's own keys win). Resolved once at startup by <see cref="ProvidersOptionsValidator"/>, which reports every
/// configuration problem at once; the catalog serves what that resolution produced.
/// </summary>
internal sealed partial class ProviderCatalog
{
    // Paths of TokenProxy's own pages (the admin surface, connect links and the client portal) and health checks: a
    // provider of that name would be routed to them, or hide them.
    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase) { "admin", "connect", "portal", "healthz", "readyz" };

    /// <summary>The key of the API base among <see cref="ProviderDefinition.UrlTemplates"/>.</summary>
    /// <summary>The longest display name: a name on a page, not a description.</summary>
    public const int MaxDisplayName = 100;

    public const string ApiBaseUrlKey = "ApiBaseUrl";

    /// <summary>The keys of the OAuth endpoints among <see cref="ProviderDefinition.UrlTemplates"/>.</summary>
    public const string AuthorizationUrlKey = "AuthorizationUrl", TokenUrlKey = "TokenUrl", RevocationUrlKey = "RevocationUrl", IdentityUrlKey = "Identity:Url";

    private readonly PresetLibrary _presets;
    private readonly ILogger? _logger;
    private readonly Lock _replacing = new();

    // Replaced whole, never changed in place: a reader takes one snapshot and sees one consistent configuration
    // (docs/architecture.md §13).
    private ProviderSnapshot _snapshot;

    /// <summary>Reading the options validates them (an <see cref="OptionsValidationException"/> lists every problem).</summary>
    public ProviderCatalog(IOptions<ProvidersOptions> options, ProvidersOptionsValidator validator, ILogger<ProviderCatalog>? logger = null)
    {
        _presets = validator.Presets;
        _logger = logger;
        _snapshot = new ProviderSnapshot(validator.Resolve(options.Value).Providers, options.Value.Providers, new Dictionary<string, ProviderOptions>());
        LogReady(All);
    }

    /// <summary>
    /// Raised after a new snapshot replaced the old one, with the names of the providers added, removed or changed, so
    /// what was worked out from them (cached credentials, egress guards, discovered endpoints) is dropped.
    /// </summary>
    public event Action<IReadOnlySet<string>>? Changed;

    public IEnumerable<ProviderDefinition> All => Volatile.Read(ref _snapshot).Providers.Values.OrderBy(p => p.Name, StringComparer.Ordinal);

    public bool TryGet(string name, [NotNullWhen(true)] out ProviderDefinition? provider) =>
        Volatile.Read(ref _snapshot).Providers.TryGetValue(name, out provider);

    /// <summary>The stored entry of <paramref name="name"/> (secrets included), if the store holds one.</summary>
    public ProviderOptions? StoredEntry(string name) => Volatile.Read(ref _snapshot).Stored.GetValueOrDefault(name);

    /// <summary>
    /// Takes the configuration files' providers: every problem when they do not validate (the running providers are
    /// kept), none when the new snapshot is in place.
    /// </summary>
    public IReadOnlyList<string> TryReplaceFile(IReadOnlyDictionary<string, ProviderOptions> file) => TryReplace(file, null);

    /// <summary>Takes the stored providers, each overriding the file's entry of its name; as <see cref="TryReplaceFile"/>.</summary>
    public IReadOnlyList<string> TryReplaceStored(IReadOnlyDictionary<string, ProviderOptions> stored) => TryReplace(null, stored);

    /// <summary>The problems the providers would have with <paramref name="entry"/> stored under <paramref name="name"/>; nothing changes.</summary>
    public IReadOnlyList<string> Check(string name, ProviderOptions entry)
    {
        var current = Volatile.Read(ref _snapshot);
        var stored = new Dictionary<string, ProviderOptions>(current.Stored, StringComparer.OrdinalIgnoreCase) { [name] = entry };
        return Resolve(Overlay(current.File, stored), _presets, stored.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase)).Problems;
    }

    private IReadOnlyList<string> TryReplace(IReadOnlyDictionary<string, ProviderOptions>? file, IReadOnlyDictionary<string, ProviderOptions>? stored)
    {
        HashSet<string> changed;
        ProviderSnapshot next;
        lock (_replacing)
        {
            var current = _snapshot;
            file ??= current.File;
            stored ??= current.Stored;
            var resolution = Resolve(Overlay(file, stored), _presets, stored.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase));
            if (resolution.Problems.Count > 0)
            {
                return resolution.Problems;
            }

            next = new ProviderSnapshot(resolution.Providers, file, stored);
            changed = current.Providers.Keys.Concat(next.Providers.Keys)
                .Where(name => !current.Providers.TryGetValue(name, out var before) || !next.Providers.TryGetValue(name, out var after) || !before.SameEntry(after))
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            Volatile.Write(ref _snapshot, next);
        }

        if (changed.Count > 0)
        {
            if (_logger is not null)
            {
                var names = string.Join(", ", changed.Order(StringComparer.Ordinal));
                Log.ProvidersChanged(_logger, names);
            }

            LogReady(next.Providers.Values.Where(p => changed.Contains(p.Name)));
            Changed?.Invoke(changed);
        }

        return [];
    }

    private static Dictionary<string, ProviderOptions> Overlay(IReadOnlyDictionary<string, ProviderOptions> file, IReadOnlyDictionary<string, ProviderOptions> stored)
    {
        var merged = new Dictionary<string, ProviderOptions>(file, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, entry) in stored)
        {
            merged[name] = entry;
        }

        return merged;
    }

    private void LogReady(IEnumerable<ProviderDefinition> providers)
    {
        if (_logger?.IsEnabled(LogLevel.Debug) != true)
        {
            return;
        }

        foreach (var provider in providers)
        {
            // The authority only: a base URL's query could carry an API key.
            var connecting = provider.CanConnect ? "available" : "off (no ClientId or token endpoint)";
            // A base with placeholders has no query either (validated): its template is shown as written.
            var api = provider.ApiBaseUrl?.Authority ?? $"{provider.UrlTemplates[ApiBaseUrlKey].Text}, per connection";
            Log.ProviderReady(_logger, provider.Name, api, connecting);
        }
    }

    /// <summary>Merges configuration over presets and validates every provider, collecting all problems.</summary>
    /// <param name="configured">The entries by name.</param>
    /// <param name="presets">The shipped presets.</param>
    /// <param name="stored">The names whose entry comes from the store rather than the configuration files.</param>
    public static ProviderResolution Resolve(IReadOnlyDictionary<string, ProviderOptions> configured, PresetLibrary presets, IReadOnlySet<string>? stored = null)
    {
        var errors = new List<string>();
        var result = new Dictionary<string, ProviderDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, preset) in presets.Presets)
        {
            if (!configured.ContainsKey(name) && Build(name.ToLowerInvariant(), preset, errors) is { } definition)
            {
                result[definition.Name] = definition with { Source = ProviderSource.Preset, Entry = preset };
            }
        }

        foreach (var (name, entry) in configured)
        {
            var key = $"TokenProxy:Providers:{name}";
            if (!ProviderName().IsMatch(name) || ReservedNames.Contains(name))
            {
                errors.Add($"{key}: '{name}' cannot be a provider name (use lower-case letters, digits, '-' or '_'; not {string.Join(", ", ReservedNames)}, which TokenProxy's own pages use).");
                continue;
            }

            var presetName = entry.Preset ?? name;
            ProviderOptions? preset = null;
            if (entry.Preset is not null && !presets.Presets.TryGetValue(presetName, out preset))
            {
                errors.Add($"{key}:Preset: unknown preset '{entry.Preset}' (known: {string.Join(", ", presets.Presets.Keys.Order(StringComparer.Ordinal))}).");
                continue;
            }

            preset ??= presets.Presets.GetValueOrDefault(presetName);
            var merged = preset is null ? entry : Merge(preset, entry);
            var before = errors.Count;
            if (Build(name.ToLowerInvariant(), merged, errors) is { } definition)
            {
                result[definition.Name] = definition with
                {
                    Configured = true,
                    Source = stored?.Contains(name) == true ? ProviderSource.Stored : ProviderSource.File,
                    Entry = merged,
                };
            }
            else if (preset is null && string.IsNullOrEmpty(entry.ApiBaseUrl) && errors.Count > before
                && Spelling.DidYouMean(name, presets.Presets.Keys) is { Length: > 0 } hint)
            {
                // A preset's name misspelt (gihtub) makes an entry of its own, missing everything the preset would give,
                // the API's address first; an entry that gives its own address meant to be one of its own.
                errors.Add($"{key}: no preset is called '{name}'{hint}; an entry of another name is a provider of its own, so it needs the settings above.");
            }
        }

        return new(result, errors);
    }

    /// <summary>
    /// <c>ClientSecret</c> or <c>ClientSecrets</c> (newest first), never both; no entry empty or repeated. Problems name the
    /// position, never the value.
    /// </summary>
    private static IReadOnlyList<string> ParseClientSecrets(ProviderOptions o, string key, List<string> errors)
    {
        if (o.ClientSecrets is null)
        {
            // White space alone is a secret left out (an environment variable set to " "), as ClientSecrets' entries are judged.
            if (o.ClientSecret is { Length: > 0 } blank && string.IsNullOrWhiteSpace(blank))
            {
                errors.Add($"{key}:ClientSecret: is only white space; give the secret, or remove the key.");
                return [];
            }

            return string.IsNullOrEmpty(o.ClientSecret) ? [] : [o.ClientSecret];
        }

        var problems = errors.Count;
        if (o.ClientSecret is not null)
        {
            errors.Add($"{key}: ClientSecret and ClientSecrets are both set; list every secret in ClientSecrets (newest first) and remove ClientSecret.");
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < o.ClientSecrets.Length; i++)
        {
            var secret = o.ClientSecrets[i];
            if (string.IsNullOrWhiteSpace(secret))
            {
                errors.Add($"{key}:ClientSecrets:{i}: is empty; remove the entry or give the secret.");
            }
            else if (!seen.TryAdd(secret, i))
            {
                errors.Add($"{key}:ClientSecrets:{i}: repeats ClientSecrets:{seen[secret]}; list each secret once.");
            }
        }

        return errors.Count > problems ? [] : [.. o.ClientSecrets];
    }

    private static ProviderOptions Merge(ProviderOptions preset, ProviderOptions entry) => new()
    {
        DisplayName = entry.DisplayName ?? preset.DisplayName,
        Docs = entry.Docs ?? preset.Docs,
        Issuer = entry.Issuer ?? preset.Issuer,
        AuthorizationUrl = entry.AuthorizationUrl ?? preset.AuthorizationUrl,
        TokenUrl = entry.TokenUrl ?? preset.TokenUrl,
        // A revocation endpoint is one choice: an entry that names either form replaces the preset's.
        RevocationUrl = entry.RevocationUrl is null && entry.Revocation is null ? preset.RevocationUrl : entry.RevocationUrl,
        Revocation = entry.RevocationUrl is null && entry.Revocation is null ? preset.Revocation : entry.Revocation,
        ApiBaseUrl = entry.ApiBaseUrl ?? preset.ApiBaseUrl,
        AllowedHosts = entry.AllowedHosts ?? preset.AllowedHosts,
        Parameters = MergeParameters(preset.Parameters, entry.Parameters),
        ClientId = entry.ClientId ?? preset.ClientId,
        // One secret or a list: an entry that names either form replaces the preset's.
        ClientSecret = entry.ClientSecret is null && entry.ClientSecrets is null ? preset.ClientSecret : entry.ClientSecret,
        ClientSecrets = entry.ClientSecret is null && entry.ClientSecrets is null ? preset.ClientSecrets : entry.ClientSecrets,
        Scopes = entry.Scopes ?? preset.Scopes,
        ScopeSeparator = entry.ScopeSeparator ?? preset.ScopeSeparator,
        UsePkce = entry.UsePkce ?? preset.UsePkce,
        TokenEndpointAuth = entry.TokenEndpointAuth ?? preset.TokenEndpointAuth,
        AuthorizationParameters = MergeMaps(preset.AuthorizationParameters, entry.AuthorizationParameters),
        TokenParameters = MergeMaps(preset.TokenParameters, entry.TokenParameters),
        TokenHeader = entry.TokenHeader ?? preset.TokenHeader,
        TokenResponsePath = entry.TokenResponsePath ?? preset.TokenResponsePath,
        TokenResponseFields = entry.TokenResponseFields ?? preset.TokenResponseFields,
        Identity = entry.Identity ?? preset.Identity,
        RefreshSkew = entry.RefreshSkew ?? preset.RefreshSkew,
        UpstreamTimeout = entry.UpstreamTimeout ?? preset.UpstreamTimeout,
        Auth = entry.Auth ?? preset.Auth,
        ApiKey = entry.ApiKey ?? preset.ApiKey,
        Headers = MergeMaps(preset.Headers, entry.Headers, StringComparer.OrdinalIgnoreCase),
        RefreshTokenLifetime = entry.RefreshTokenLifetime ?? preset.RefreshTokenLifetime,
        RefreshTokenIdleLifetime = entry.RefreshTokenIdleLifetime ?? preset.RefreshTokenIdleLifetime,
        ErrorHints = MergeMaps(preset.ErrorHints, entry.ErrorHints),
        ScopeHeaders = entry.ScopeHeaders ?? preset.ScopeHeaders,
        TestPath = entry.TestPath ?? preset.TestPath,
    };

    /// <summary>
    /// An entry's parameters over its preset's, field by field (a Discovery's too): overriding one field (Jira's
    /// <c>cloudId</c> discovery URL) keeps the rest (its pattern, label, value fields). An entry that gives a parameter
    /// another source (from the token response rather than a discovery call) drops the preset's.
    /// </summary>
    private static Dictionary<string, ParameterOptions>? MergeParameters(Dictionary<string, ParameterOptions>? preset, Dictionary<string, ParameterOptions>? entry)
    {
        if (preset is null || entry is null)
        {
            return entry ?? preset;
        }

        var merged = new Dictionary<string, ParameterOptions>(preset, StringComparer.Ordinal);
        foreach (var (name, own) in entry)
        {
            if (!preset.TryGetValue(name, out var given))
            {
                merged[name] = own;
                continue;
            }

            var fromTokenResponse = own.FromTokenResponse ?? (own.Discovery is null ? given.FromTokenResponse : null);
            merged[name] = new ParameterOptions
            {
                Pattern = own.Pattern ?? given.Pattern,
                Label = own.Label ?? given.Label,
                FromTokenResponse = fromTokenResponse,
                Discovery = fromTokenResponse == true ? own.Discovery : (own.Discovery, given.Discovery) switch
                {
                    (null, var kept) => kept,
                    (var set, null) => set,
                    var (set, kept) => new ParameterDiscoveryOptions
                    {
                        Url = set.Url ?? kept.Url,
                        ValueField = set.ValueField ?? kept.ValueField,
                        LabelField = set.LabelField ?? kept.LabelField,
                    },
                },
            };
        }

        return merged;
    }

    private static Dictionary<string, string>? MergeMaps(Dictionary<string, string>? preset, Dictionary<string, string>? entry, StringComparer? keys = null)
    {
        if (preset is null || entry is null)
        {
            return entry ?? preset;
        }

        var merged = new Dictionary<string, string>(keys ?? StringComparer.Ordinal);
        foreach (var (k, v) in preset.Concat(entry))
        {
            merged[k] = v;
        }

        return merged;
    }

    private static ProviderDefinition? Build(string name, ProviderOptions o, List<string> errors)
    {
        var key = $"TokenProxy:Providers:{name}";
        var before = errors.Count;
        if (o.DisplayName is { Length: > MaxDisplayName })
        {
            errors.Add($"{key}:DisplayName: at most {MaxDisplayName} characters (it is a name shown on the admin and portal pages).");
        }

        if (o.DisplayName is { } shown && (ShownText.IsBlank(shown) || !ShownText.IsPlain(shown)))
        {
            errors.Add($"{key}:DisplayName: a name on one line, not blank, without control, text-direction or invisible characters (it is shown on the admin and portal pages).");
        }

        var allowedHosts = ParseAllowedHosts(o.AllowedHosts, $"{key}:AllowedHosts", errors);
        var parameters = ParseParameters(o.Parameters, $"{key}:Parameters", errors);
        var declared = new ProviderDeclarations(o.Parameters?.Keys.ToHashSet(StringComparer.Ordinal) ?? [], o.AllowedHosts is { Length: > 0 });
        var templates = new Dictionary<string, UrlTemplate>(StringComparer.Ordinal);
        Uri? Url(string? value, string option, bool required = false)
        {
            if (!UrlTemplate.IsTemplate(value))
            {
                return RequireUrl(value, $"{key}:{option}", required, errors);
            }

            if (UrlTemplate.Parse(value!, $"{key}:{option}", parameters, allowedHosts, declared, errors) is { } template)
            {
                templates[option] = template;
            }

            return null;
        }

        var apiBase = Url(o.ApiBaseUrl, ApiBaseUrlKey, required: true);
        var authorization = Url(o.AuthorizationUrl, AuthorizationUrlKey);
        var token = Url(o.TokenUrl, TokenUrlKey);
        var revocation = Url(o.RevocationUrl, RevocationUrlKey);
        var issuer = RequireUrl(o.Issuer, $"{key}:Issuer", required: false, errors);
        var docs = RequireUrl(o.Docs, $"{key}:Docs", required: false, errors);
        var identity = Url(o.Identity?.Url, IdentityUrlKey);

        // The authorization request and the code exchange happen before a token answer or a discovery call: their
        // placeholders can only be values the person gives.
        foreach (var option in new[] { AuthorizationUrlKey, TokenUrlKey })
        {
            if (templates.TryGetValue(option, out var oauthTemplate)
                && oauthTemplate.Placeholders.FirstOrDefault(n => parameters[n].Kind != ParameterKind.Given) is { } early)
            {
                errors.Add($"{key}:{option}: {{{early}}} is known only after connecting; this URL can use only parameters with a Pattern.");
            }
        }

        if (apiBase is not null && (!string.IsNullOrEmpty(apiBase.Query) || !string.IsNullOrEmpty(apiBase.Fragment)))
        {
            errors.Add($"{key}:ApiBaseUrl: must not have a query or fragment.");
        }

        if (templates.TryGetValue(ApiBaseUrlKey, out var apiTemplate) && apiTemplate.Text.Contains('?', StringComparison.Ordinal))
        {
            errors.Add($"{key}:ApiBaseUrl: must not have a query or fragment.");
        }

        var kinds = ParseAuth(o.Auth, key, errors);
        var secrets = ParseClientSecrets(o, key, errors);
        var clientId = string.IsNullOrWhiteSpace(o.ClientId) ? null : o.ClientId;
        if (clientId is not null && issuer is null && kinds.Contains(CredentialKind.OAuth2)
            && (authorization is null && !templates.ContainsKey(AuthorizationUrlKey) || token is null && !templates.ContainsKey(TokenUrlKey)))
        {
            errors.Add($"{key}: a provider with a ClientId needs AuthorizationUrl and TokenUrl (or an Issuer to discover them).");
        }

        var auth = (o.TokenEndpointAuth ?? "client_secret_basic") switch
        {
            "client_secret_basic" => TokenEndpointAuth.ClientSecretBasic,
            "client_secret_post" => TokenEndpointAuth.ClientSecretPost,
            "none" => TokenEndpointAuth.None,
            var other => Fail($"{key}:TokenEndpointAuth: '{other}' is not one of client_secret_basic, client_secret_post, none.", errors),
        };

        if (o.TokenRequest is not (null or "form" or "query"))
        {
            errors.Add($"{key}:TokenRequest: '{o.TokenRequest}' is not one of form, query.");
        }

        var header = TokenHeaderFormat.TryParse(o.TokenHeader ?? TokenHeaderFormat.Default, out var headerProblem);
        if (header is null)
        {
            errors.Add($"{key}:TokenHeader: '{o.TokenHeader}' {headerProblem}.");
        }

        if (o.ScopeSeparator is { Length: 0 })
        {
            errors.Add($"{key}:ScopeSeparator: must not be empty.");
        }

        if (o.RefreshSkew is { } skew && skew < TimeSpan.Zero)
        {
            errors.Add($"{key}:RefreshSkew: must not be negative.");
        }

        if (o.UpstreamTimeout is { } upstreamTimeout && (upstreamTimeout < TimeSpan.FromSeconds(1) || upstreamTimeout > TimeSpan.FromHours(1)))
        {
            errors.Add($"{key}:UpstreamTimeout: '{upstreamTimeout}' is not from 00:00:01 to 01:00:00.");
        }

        if (kinds.Contains(CredentialKind.ClientCredentials) && clientId is not null)
        {
            // The grant runs before any token exists: a templated token endpoint (an Okta domain) can only take values given
            // with the connection, never one from a token response or a discovery call.
            if (templates.TryGetValue(TokenUrlKey, out var tokenTemplate)
                ? tokenTemplate.Placeholders.Any(name => !parameters.TryGetValue(name, out var p) || p.Kind != ParameterKind.Given)
                : token is null && issuer is null)
            {
                errors.Add($"{key}:TokenUrl: ClientCredentials needs a TokenUrl whose placeholders are all given values (Pattern), or an Issuer to discover it.");
            }

            // RFC 6749 §4.4: the client credentials grant is for confidential clients only.
            if (secrets.Count == 0 || auth == TokenEndpointAuth.None)
            {
                errors.Add($"{key}:ClientSecret: ClientCredentials needs a ClientSecret, sent as client_secret_basic or client_secret_post (RFC 6749 §4.4: confidential clients only).");
            }
        }

        ApiKeyPlacement? apiKey = null;
        if (kinds.Contains(CredentialKind.ApiKey))
        {
            apiKey = ApiKeyPlacement.Parse(o.ApiKey, $"{key}:ApiKey", errors);
        }
        else if (o.ApiKey is not null)
        {
            errors.Add($"{key}:ApiKey: set, but Auth does not offer ApiKey (add it to Auth, or remove ApiKey).");
        }

        var quirks = ParseQuirks(o, key, clientId, auth, header, apiKey, parameters, allowedHosts, declared, errors);
        if (errors.Count > before)
        {
            return null;
        }

        return new ProviderDefinition
        {
            Name = name,
            DisplayName = o.DisplayName ?? name,
            Docs = docs,
            Issuer = issuer is null ? null : o.Issuer,
            AuthorizationUrl = authorization,
            TokenUrl = token,
            RevocationUrl = revocation,
            ApiBaseUrl = apiBase,
            AllowedHosts = allowedHosts,
            Parameters = parameters,
            UrlTemplates = templates,
            ClientId = clientId,
            ClientSecret = secrets.Count > 0 ? secrets[0] : null,
            ClientSecrets = secrets,
            Scopes = o.Scopes ?? [],
            ScopeSeparator = o.ScopeSeparator ?? " ",
            UsePkce = o.UsePkce ?? true,
            TokenEndpointAuth = auth,
            TokenRequestInQuery = o.TokenRequest == "query",
            AuthorizationParameters = o.AuthorizationParameters ?? [],
            TokenParameters = o.TokenParameters ?? [],
            TokenHeader = header!,
            TokenResponsePath = o.TokenResponsePath,
            TokenResponseFields = o.TokenResponseFields ?? [],
            Identity = identity is null && !templates.ContainsKey(IdentityUrlKey) ? null : new IdentityEndpoint(identity, o.Identity!.IdField, o.Identity.EmailField, o.Identity.NameField),
            RefreshSkew = o.RefreshSkew,
            UpstreamTimeout = o.UpstreamTimeout ?? ProviderDefinition.DefaultUpstreamTimeout,
            CredentialKinds = kinds,
            ApiKey = apiKey,
            Revocation = quirks.Revocation,
            Headers = quirks.Headers,
            RefreshTokenLifetime = o.RefreshTokenLifetime,
            RefreshTokenIdleLifetime = o.RefreshTokenIdleLifetime,
            ErrorHints = quirks.ErrorHints,
            ScopeHeaders = quirks.ScopeHeaders,
            TestPath = quirks.TestPath,
        };
    }

    /// <summary>The kinds <c>Auth</c> names, without repeats; OAuth2 alone when it names none.</summary>
    private static List<CredentialKind> ParseAuth(string[]? names, string key, List<string> errors)
    {
        var kinds = new List<CredentialKind>();
        foreach (var name in names ?? [])
        {
            CredentialKind? kind = name?.ToLowerInvariant() switch
            {
                "oauth2" => CredentialKind.OAuth2,
                "apikey" => CredentialKind.ApiKey,
                "basic" => CredentialKind.Basic,
                "clientcredentials" => CredentialKind.ClientCredentials,
                _ => null,
            };
            if (kind is { } known)
            {
                if (!kinds.Contains(known))
                {
                    kinds.Add(known);
                }
            }
            else
            {
                errors.Add($"{key}:Auth: '{name}' is not a credential kind; use OAuth2, ApiKey, Basic or ClientCredentials.");
            }
        }

        return kinds.Count > 0 || names is { Length: > 0 } ? kinds : [CredentialKind.OAuth2];
    }

    private static List<AllowedHost> ParseAllowedHosts(string[]? entries, string key, List<string> errors)
    {
        var hosts = new List<AllowedHost>();
        foreach (var entry in entries ?? [])
        {
            if (AllowedHost.Parse(entry, out var problem) is { } host)
            {
                hosts.Add(host);
            }
            else
            {
                errors.Add($"{key}: '{entry}' {problem}.");
            }
        }

        return hosts;
    }

    /// <summary>
    /// The query names <c>/admin/connect/{provider}</c> reads for itself. A value the person gives arrives in the same query
    /// (<c>?subdomain=acme</c>), so a given parameter by one of these names could never be told apart; query names are
    /// matched without regard to case.
    /// </summary>
    public static readonly IReadOnlyList<string> ConnectQueryNames = ["label", "connection", "scopes", "workspace", "endUser"];

    private static Dictionary<string, ProviderParameter> ParseParameters(Dictionary<string, ParameterOptions>? declared, string key, List<string> errors)
    {
        var parameters = new Dictionary<string, ProviderParameter>(StringComparer.Ordinal);
        foreach (var (name, p) in declared ?? [])
        {
            var at = $"{key}:{name}";
            if (!ParameterName().IsMatch(name))
            {
                errors.Add($"{at}: '{name}' is not a parameter name (letters, digits and '_', starting with a letter or '_').");
                continue;
            }

            var sources = (p.Pattern is null ? 0 : 1) + (p.FromTokenResponse == true ? 1 : 0) + (p.Discovery is null ? 0 : 1);
            if (sources == 0)
            {
                errors.Add($"{at}: declare exactly one of Pattern, FromTokenResponse or Discovery: it has none (a Pattern for a value given at import, FromTokenResponse: true for a token-response field, a Discovery to pick the value from a list).");
                continue;
            }

            if (sources != 1 && !(sources == 2 && p.Pattern is not null && p.Discovery is not null))
            {
                errors.Add($"{at}: declare exactly one of Pattern, FromTokenResponse or Discovery (a Discovery may also have a Pattern).");
                continue;
            }

            if (p.Pattern is not null && ConnectQueryNames.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) is { } clash)
            {
                errors.Add($"{at}: '{name}' is given in the connect URL's query, where '{clash}' is already the connect's own; name the parameter differently.");
            }

            Regex? pattern = null;
            if (p.Pattern is { } text)
            {
                // \z, not $: in .NET, $ also matches before a final "\n".
                if (!text.StartsWith('^') || !text.EndsWith(@"\z", StringComparison.Ordinal))
                {
                    errors.Add($"{at}:Pattern: '{text}' must be anchored: start with ^ and end with \\z.");
                    continue;
                }

                try
                {
                    pattern = new Regex(text, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{at}:Pattern: '{text}' is not a regular expression ({e.Message}).");
                    continue;
                }
            }

            ParameterDiscovery? discovery = null;
            if (p.Discovery is { } d)
            {
                var url = RequireUrl(d.Url, $"{at}:Discovery:Url", required: true, errors);
                if (string.IsNullOrWhiteSpace(d.ValueField))
                {
                    errors.Add($"{at}:Discovery:ValueField: is required.");
                }

                if (url is null || string.IsNullOrWhiteSpace(d.ValueField))
                {
                    continue;
                }

                discovery = new ParameterDiscovery(url, d.ValueField, string.IsNullOrWhiteSpace(d.LabelField) ? null : d.LabelField);
            }

            var kind = discovery is not null ? ParameterKind.Discovery : p.FromTokenResponse == true ? ParameterKind.TokenResponse : ParameterKind.Given;
            parameters[name] = new ProviderParameter(name, kind, string.IsNullOrWhiteSpace(p.Label) ? name : p.Label, pattern, discovery);
        }

        return parameters;
    }

    private static TokenEndpointAuth Fail(string error, List<string> errors)
    {
        errors.Add(error);
        return default;
    }

    private static Uri? RequireUrl(string? value, string key, bool required, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add($"{key}: is required.");
            }

            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{key}: '{value}' is not an absolute http(s) URL.");
            return null;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            errors.Add($"{key}: must not contain user information.");
            return null;
        }

        // RFC 9700 §2.6 / RFC 7009 §2 / RFC 8414 §2: tokens and secrets travel over TLS only. Plain
        // http is accepted for loopback addresses, where a local fake or test server listens.
        if (uri.Scheme != Uri.UriSchemeHttps && !IsLoopback(uri))
        {
            errors.Add($"{key}: '{value}' must use https (plain http is allowed only for loopback hosts).");
            return null;
        }

        return uri;
    }

    /// <summary>True for <c>localhost</c> and loopback IP literals.</summary>
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Whether <paramref name="name"/> is written as a provider's name may be (reserved names aside).</summary>
    public static bool IsProviderName(string? name) => name is not null && ProviderName().IsMatch(name);

    // \z, not $: in .NET, $ also matches before a final "\n".
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,62}\z")]
    private static partial Regex ProviderName();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,63}\z")]
    private static partial Regex ParameterName();
}
