using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// <c>/admin/api/providers/{name}</c>: one provider's entry, and the entries stored through the API, which override the
/// configuration files' entry of the same name (docs/architecture.md §13). A client secret is write-only.
/// </summary>
internal static class ProvidersApi
{
    /// <summary>The shape of a provider entry, said to whoever sent another.</summary>
    public const string EntryShape =
        "Send one JSON object with the provider's settings as in configuration (TokenProxy:Providers:{name}): AuthorizationUrl, TokenUrl or Issuer, " +
        "ApiBaseUrl, ClientId, ClientSecret (only when the provider requires one), Scopes (a list), UsePkce (true or false), ….";

    public static RouteGroupBuilder MapProvidersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/providers/{name}", Get);
        api.MapPut("/providers/{name}", PutAsync);
        api.MapDelete("/providers/{name}", DeleteAsync);
        return api;
    }

    private static IResult Get(string name, ProviderCatalog providers, AuthorizationFlow flow) =>
        providers.TryGet(name, out var provider)
            ? TypedResults.Ok(ProviderEntryView.From(provider, ProviderView.RedirectUriOf(provider, flow)))
            : AdminProblems.ProviderNotFound(name);

    private static async Task<IResult> PutAsync(
        string name, HttpRequest body, StoredProviders stored, ProviderCatalog providers, AuthorizationFlow flow, CancellationToken cancellationToken)
    {
        if (!body.HasJsonContentType())
        {
            return AdminProblems.NotJson(EntryShape);
        }

        (ProviderOptions? Entry, bool KeepSecret, Dictionary<string, string[]>? Problems) read;
        try
        {
            read = await ReadAsync(body, cancellationToken);
        }
        catch (BadHttpRequestException e)
        {
            return ProxyProblems.UnreadableBody(e);
        }

        var (entry, keepSecret, problems) = read;
        if (entry is null)
        {
            return problems is null ? AdminProblems.MalformedJson(EntryShape) : AdminProblems.Invalid(problems);
        }

        if (problems is not null)
        {
            // Keys nothing reads, and every problem of the rest: one answer lists all of them.
            foreach (var (field, found) in ByField(name, providers.Check(name, entry)))
            {
                problems[field] = found;
            }

            return AdminProblems.Invalid(problems);
        }

        var written = await stored.PutAsync(name, entry, keepSecret, cancellationToken);
        if (written.Problems.Count > 0)
        {
            return AdminProblems.Invalid(ByField(name, written.Problems));
        }

        providers.TryGet(name, out var provider);
        var view = ProviderEntryView.From(provider!, ProviderView.RedirectUriOf(provider!, flow));
        return written.Created ? TypedResults.Created($"/admin/api/providers/{provider!.Name}", view) : TypedResults.Ok(view);
    }

    private static async Task<IResult> DeleteAsync(string name, StoredProviders stored, ProviderCatalog providers, CancellationToken cancellationToken) =>
        await stored.DeleteAsync(name, cancellationToken)
            ? TypedResults.NoContent()
            : AdminProblems.ProviderNotStored(name, providers.TryGet(name, out var provider) ? provider.Source : null);

    /// <summary>
    /// The entry, and whether it leaves the client secret out (then the stored one is kept), with the problems found in
    /// reading it: keys no provider setting reads and values of the wrong type, every one (the rest of the entry is still
    /// read, so its own problems are listed too); or neither, for a body that is not a JSON object.
    /// </summary>
    private static async Task<(ProviderOptions? Entry, bool KeepSecret, Dictionary<string, string[]>? Problems)> ReadAsync(HttpRequest body, CancellationToken cancellationToken)
    {
        JsonElement json;
        try
        {
            json = await body.ReadFromJsonAsync<JsonElement>(cancellationToken);
        }
        catch (JsonException)
        {
            // Malformed JSON (a trailing comma, nothing at all).
            return (null, false, null);
        }

        if (json.ValueKind != JsonValueKind.Object || JsonKeys.Repeat(json))
        {
            return (null, false, null);
        }

        var problems = ProviderJson.UnknownKeys(json).ToDictionary(
            k => k, k => new[] { $"{k}: not a provider setting (a typo?); the settings are those of TokenProxy:Providers:{{name}} in the README." });
        // No secret given — left out, null or empty (a client that always sends the fields) — keeps the stored ones.
        var keepSecret = !json.EnumerateObject().Any(p =>
            (string.Equals(p.Name, nameof(ProviderOptions.ClientSecret), StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() != "")
            || (string.Equals(p.Name, nameof(ProviderOptions.ClientSecrets), StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() > 0));
        try
        {
            var entry = ReadEntry(JsonObject.Create(json)!, problems);
            return (entry, keepSecret, problems.Count == 0 ? null : problems);
        }
        catch (JsonException)
        {
            // A wrong value the reader cannot place under a setting: the body as a whole is refused.
            return (null, false, null);
        }
    }

    /// <summary>
    /// The entry; a setting whose value has the wrong type is named in <paramref name="problems"/> and left out, and the
    /// rest read again. The reader names where, never the value (it could be a secret).
    /// </summary>
    private static ProviderOptions ReadEntry(JsonObject entry, Dictionary<string, string[]> problems)
    {
        while (true)
        {
            try
            {
                return entry.Deserialize<ProviderOptions>(ProviderJson.Options) ?? new ProviderOptions();
            }
            catch (JsonException e) when (e.Path?.TrimStart('$', '.') is { Length: > 0 } path
                && entry.FirstOrDefault(p => string.Equals(p.Key, path.Split('.', '[')[0], StringComparison.OrdinalIgnoreCase)) is { Key: { } setting } found)
            {
                var field = path.Replace('.', ':');
                var list = typeof(ProviderOptions).GetProperty(setting, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType.IsArray == true;
                problems[field] = [list && found.Value?.GetValueKind() == JsonValueKind.String
                    ? $"{field}: a list belongs here; send a JSON array (e.g. [\"read\"]), not one value."
                    : $"{field}: a value of the wrong type (see the README's provider settings)."];
                entry.Remove(setting);
            }
        }
    }

    /// <summary>Each problem under the setting it names, as the validator words it for configuration (<c>TokenProxy:Providers:{name}:Setting: …</c>).</summary>
    private static Dictionary<string, string[]> ByField(string name, IReadOnlyList<string> problems)
    {
        var prefix = $"{ProvidersOptions.SectionName}:Providers:{name}";
        return problems
            .Select(p =>
            {
                var rest = p.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? p[prefix.Length..] : p;
                var field = rest.StartsWith(':') && rest.IndexOf(": ", StringComparison.Ordinal) is > 1 and var end ? rest[1..end] : "provider";
                return (Field: field, Problem: rest.TrimStart(':', ' '));
            })
            .GroupBy(p => p.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Problem).ToArray(), StringComparer.Ordinal);
    }
}
