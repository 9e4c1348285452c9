using System.Text.RegularExpressions;

namespace TokenProxy.Providers;

/// <summary>A declared URL placeholder of a provider, validated: its source and, for a given value, its pattern.</summary>
internal sealed record ProviderParameter(string Name, ParameterKind Kind, string Label, Regex? Pattern, ParameterDiscovery? Discovery)
{
    /// <summary>Why <paramref name="value"/> cannot stand for this placeholder, or null when it can. Never quotes the value.</summary>
    public string? Problem(string? value)
    {
        if (Kind == ParameterKind.TokenResponse)
        {
            return ParameterValue.OriginProblem(value);
        }

        if (ParameterValue.Problem(value) is { } problem)
        {
            return problem;
        }

        // In words, not the regular expression: a client company's person reads this on a connect link's page.
        try
        {
            return Pattern is null || Pattern.IsMatch(value!) ? null : "is not in the expected form";
        }
        catch (RegexMatchTimeoutException)
        {
            return "is not in the expected form";
        }
    }
}
