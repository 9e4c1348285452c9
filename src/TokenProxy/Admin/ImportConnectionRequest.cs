using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// <c>POST /admin/api/connections</c>: a token obtained elsewhere (a personal access token, an API key, a
/// token from another tool) stored as a connection.
/// </summary>
internal sealed record ImportConnectionRequest(
    string? Provider,
    string? Label,
    string? Workspace,
    string? AccessToken,
    string? RefreshToken,
    long? ExpiresIn,
    string[]? Scopes,
    Dictionary<string, string>? Parameters)
{
    private const long MaxExpiresIn = 10L * 366 * 24 * 3600;

    /// <summary>Every problem with the request, by field; empty when it is valid. Never echoes a token.</summary>
    public Dictionary<string, string[]> Validate(ProviderCatalog providers)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(Provider) || !providers.TryGet(Provider, out var provider))
        {
            errors["provider"] = [$"'{Provider}' is not a configured provider."];
        }
        else
        {
            ValidateParameters(provider, errors);
        }

        if (Label is not null && !ConnectionLabel.IsValid(Label))
        {
            errors["label"] = [ConnectionLabel.Rule];
        }

        if (Workspace is not null && !ConnectionLabel.IsValid(Workspace))
        {
            errors["workspace"] = ["A workspace is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }

        if (!TokenValue.IsValid(AccessToken))
        {
            errors["accessToken"] = ["The access token is required and must be visible ASCII without spaces or control characters."];
        }

        if (RefreshToken is not null && !TokenValue.IsValid(RefreshToken))
        {
            errors["refreshToken"] = ["The refresh token must be visible ASCII without spaces or control characters."];
        }

        if (Scopes is not null && ScopeSyntax.Problem(Scopes) is { } scopeProblem)
        {
            errors["scopes"] = [scopeProblem];
        }

        if (ExpiresIn is <= 0 or > MaxExpiresIn)
        {
            errors["expiresIn"] = [$"expiresIn is a positive number of seconds, at most {MaxExpiresIn} (10 years)."];
        }

        return errors;
    }

    /// <summary>
    /// Every declared parameter is given and valid, none other is, and each URL of the provider resolves with them to an
    /// allowed address. A problem names the parameter and its label; it never quotes the value (it may be 10 KB of anything).
    /// </summary>
    private void ValidateParameters(ProviderDefinition provider, Dictionary<string, string[]> errors)
    {
        var given = Parameters ?? [];
        foreach (var name in given.Keys.Where(n => !provider.Parameters.ContainsKey(n)))
        {
            errors[$"parameters.{Truncated(name)}"] = [$"{provider.Name} has no parameter by that name (its parameters: {string.Join(", ", provider.Parameters.Keys)})."];
        }

        foreach (var parameter in provider.Parameters.Values)
        {
            var problem = given.TryGetValue(parameter.Name, out var value) ? parameter.Problem(value) : "is missing";
            if (problem is not null)
            {
                errors[$"parameters.{parameter.Name}"] = [$"{parameter.Label} ({parameter.Name}) {problem}."];
            }
        }

        if (errors.Keys.Any(k => k.StartsWith("parameters.", StringComparison.Ordinal)))
        {
            return;
        }

        // Each value is valid on its own; the URLs they make are checked too (host, port, path), as a request would be.
        foreach (var template in provider.UrlTemplates.Values)
        {
            if (template.Resolve(given) is { Succeeded: false } refused)
            {
                errors[$"parameters.{refused.Parameter!.Name}"] = [$"{refused.Describe()}."];
            }
        }
    }

    private static string Truncated(string name) => name.Length <= 64 ? name : name[..64] + "…";
}
