using System.Text;
using System.Text.RegularExpressions;

namespace TokenProxy.Providers;

/// <summary>
/// A header the provider's API requires (<c>Notion-Version: 2025-09-03</c>), added to proxied requests that do not carry
/// one of that name. A value with <c>{name}</c> placeholders (<c>Xero-tenant-id: {tenantId}</c>) is resolved per connection
/// under the same rules as a URL's (<see cref="ProviderParameter.Problem"/>), which keep CR, LF and controls out.
/// </summary>
internal sealed partial record StaticHeader(string Name, string Value, IReadOnlyList<ProviderParameter> Placeholders)
{
    /// <summary>The value for a connection's <paramref name="values"/>, or null with why (the parameter, never its value).</summary>
    public string? Resolve(IReadOnlyDictionary<string, string> values, out string? problem)
    {
        problem = null;
        if (Placeholders.Count == 0)
        {
            return Value;
        }

        var text = new StringBuilder();
        var last = 0;
        foreach (Match match in Placeholder().Matches(Value))
        {
            var parameter = Placeholders.First(p => p.Name == match.Groups[1].Value);
            if (!values.TryGetValue(parameter.Name, out var value))
            {
                problem = UrlResolution.Refused(parameter, $"is missing (header {Name})").Describe();
                return null;
            }

            if (parameter.Problem(value) is { } refused)
            {
                problem = UrlResolution.Refused(parameter, $"{refused} (header {Name})").Describe();
                return null;
            }

            text.Append(Value, last, match.Index - last).Append(value);
            last = match.Index + match.Length;
        }

        return text.Append(Value, last, Value.Length - last).ToString();
    }

    /// <summary>The names of the placeholders in <paramref name="value"/>.</summary>
    public static IEnumerable<string> PlaceholdersOf(string value) => Placeholder().Matches(value).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]{0,63})\}")]
    private static partial Regex Placeholder();
}
