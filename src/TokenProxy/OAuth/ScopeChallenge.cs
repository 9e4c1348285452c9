using System.Net;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>
/// An API's answer that the token lacks a scope (docs/architecture.md §1): RFC 6750 §3.1
/// <c>WWW-Authenticate: Bearer error="insufficient_scope", scope="…"</c> on a 403 or 401, or, for a provider with
/// <c>ScopeHeaders</c>, a 403 whose accepted-scopes header names none of the granted ones (GitHub). Never a reason to
/// refresh: a new token of the same grant has the same scopes.
/// </summary>
/// <param name="Required">The scopes the operation needs (checked against RFC 6749 §3.3; an invalid one is dropped); may be empty.</param>
/// <param name="Granted">The scopes the API says the token has, when it says (the provider's granted header); else null.</param>
/// <param name="AnyOf">True when any one of <paramref name="Required"/> would do (an accepted-scopes header), false when all are needed.</param>
internal sealed record ScopeChallenge(IReadOnlyList<string> Required, IReadOnlyList<string>? Granted, bool AnyOf)
{
    /// <summary>The scopes of a challenge or header that are kept; more is noise or hostile.</summary>
    private const int MaxScopes = 20;

    /// <summary>The challenge in <paramref name="response"/>, or null when it is not one.</summary>
    public static ScopeChallenge? Read(HttpResponseMessage response, ProviderDefinition provider)
    {
        if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized))
        {
            return null;
        }

        var granted = provider.ScopeHeaders?.Granted is { } grantedHeader && HeaderValue(response, grantedHeader) is { } grantedText
            ? Scopes(grantedText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            : null;
        if (BearerInsufficientScope(response) is { } required)
        {
            return new ScopeChallenge(required, granted, AnyOf: false);
        }

        if (response.StatusCode != HttpStatusCode.Forbidden || provider.ScopeHeaders is not { } headers
            || HeaderValue(response, headers.Accepted) is not { } acceptedText)
        {
            return null;
        }

        var accepted = Scopes(acceptedText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        // GitHub sends the accepted scopes on every answer, a rate limit's 403 too: the 403 is about scopes only when the
        // token holds none of those that would do.
        return accepted.Count == 0 || granted is not null && accepted.Any(granted.Contains)
            ? null
            : new ScopeChallenge(accepted, granted, AnyOf: true);
    }

    /// <summary>The scopes to ask for at a reconnect: everything granted, and what the operation needs.</summary>
    public IReadOnlyList<string> Union(IReadOnlyList<string> stored) =>
        [.. (Granted ?? stored).Concat(Required).Distinct(StringComparer.Ordinal)];

    /// <summary>True when <paramref name="granted"/> already satisfies the challenge (nothing to ask for).</summary>
    public bool SatisfiedBy(IReadOnlyCollection<string> granted) =>
        Required.Count == 0 || (AnyOf ? Required.Any(granted.Contains) : Required.All(granted.Contains));

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? string.Join(',', values) : null;

    /// <summary>The <c>scope</c> of a Bearer challenge whose <c>error</c> is <c>insufficient_scope</c>; null when there is none.</summary>
    private static List<string>? BearerInsufficientScope(HttpResponseMessage response)
    {
        if (!response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            foreach (var (scheme, parameters) in Challenges(value))
            {
                if (string.Equals(scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
                    && parameters.TryGetValue("error", out var error) && error == "insufficient_scope")
                {
                    return Scopes(parameters.TryGetValue("scope", out var scope) ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : []);
                }
            }
        }

        return null;
    }

    /// <summary>Valid scope tokens only (RFC 6749 §3.3), at most <see cref="MaxScopes"/>, each once.</summary>
    private static List<string> Scopes(IEnumerable<string> candidates) =>
        [.. candidates.Where(s => ScopeSyntax.Problem([s]) is null).Distinct(StringComparer.Ordinal).Take(MaxScopes)];

    /// <summary>
    /// RFC 9110 §11.6.1: <c>challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]</c>, several to a field line, each
    /// <c>auth-param = token BWS "=" BWS ( token / quoted-string )</c>. A malformed rest ends the reading.
    /// </summary>
    private static IEnumerable<(string Scheme, Dictionary<string, string> Parameters)> Challenges(string value)
    {
        var i = 0;
        string? scheme = null;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipSeparators(value, ref i);
            var token = Token(value, ref i);
            if (token.Length == 0)
            {
                break;
            }

            var after = i;
            SkipSpaces(value, ref i);
            if (i < value.Length && value[i] == '=' && scheme is not null)
            {
                i++;
                SkipSpaces(value, ref i);
                var parameter = i < value.Length && value[i] == '"' ? Quoted(value, ref i) : Token(value, ref i);
                if (parameter is null)
                {
                    break;
                }

                parameters.TryAdd(token, parameter);
                continue;
            }

            // A token not followed by "=" starts the next challenge.
            i = after;
            if (scheme is not null)
            {
                yield return (scheme, parameters);
                parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            }

            scheme = token;
        }

        if (scheme is not null)
        {
            yield return (scheme, parameters);
        }
    }

    private static void SkipSeparators(string value, ref int i)
    {
        while (i < value.Length && value[i] is ' ' or '\t' or ',')
        {
            i++;
        }
    }

    private static void SkipSpaces(string value, ref int i)
    {
        while (i < value.Length && value[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static string Token(string value, ref int i)
    {
        var start = i;
        while (i < value.Length && TokenHeaderFormat.IsTokenChar(value[i]))
        {
            i++;
        }

        return value[start..i];
    }

    /// <summary>RFC 9110 §5.6.4: a quoted-string, its quoted-pairs unescaped; null when it does not end.</summary>
    private static string? Quoted(string value, ref int i)
    {
        var text = new System.Text.StringBuilder();
        for (i++; i < value.Length; i++)
        {
            if (value[i] == '"')
            {
                i++;
                return text.ToString();
            }

            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            text.Append(value[i]);
        }

        return null;
    }
}
