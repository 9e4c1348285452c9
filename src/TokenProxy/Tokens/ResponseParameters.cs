using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// A connection's parameters after a token answer: the provider's token-response placeholders (Salesforce
/// <c>instance_url</c>) take the answer's values at connect and at every refresh, each checked like any other value and
/// the API base they make checked against <c>AllowedHosts</c> before the row takes them (docs/architecture.md §5).
/// </summary>
internal static class ResponseParameters
{
    /// <returns>
    /// The parameters the row carries from now on, or the row's own with the problem that makes the answer's unusable
    /// (the problem names the placeholder, never its value).
    /// </returns>
    public static (IReadOnlyDictionary<string, string> Parameters, string? Problem) Apply(ProviderDefinition provider, ConnectionRow row, TokenSet tokens)
    {
        if (!provider.Parameters.Values.Any(p => p.Kind == ParameterKind.TokenResponse))
        {
            return (row.Parameters, null);
        }

        var parameters = new Dictionary<string, string>(row.Parameters, StringComparer.Ordinal);
        foreach (var parameter in provider.Parameters.Values.Where(p => p.Kind == ParameterKind.TokenResponse))
        {
            if (tokens.Placeholders.TryGetValue(parameter.Name, out var value))
            {
                if (parameter.Problem(value) is { } problem)
                {
                    return (row.Parameters, $"{parameter.Label} ({parameter.Name}) {problem}");
                }

                parameters[parameter.Name] = value;
            }
            else if (!parameters.ContainsKey(parameter.Name))
            {
                return (row.Parameters, $"{parameter.Label} ({parameter.Name}) is missing from the token response");
            }
        }

        var resolved = provider.ResolveApiBase(parameters);
        return resolved.Succeeded ? (parameters, null) : (row.Parameters, resolved.Describe());
    }
}
