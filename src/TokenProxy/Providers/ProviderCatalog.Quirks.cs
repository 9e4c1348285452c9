namespace TokenProxy.Providers;

/// <summary>The provider quirks declared as data: static headers, a revocation endpoint beyond RFC 7009, error hints.</summary>
internal sealed partial class ProviderCatalog
{
    /// <summary>What <c>{client_id}</c> in <c>Revocation:Url</c> stands for: the provider's ClientId.</summary>
    private const string ClientIdPlaceholder = "{client_id}";

    /// <summary>What <c>{token}</c> in <c>Revocation:Url</c> stands for: the token being revoked.</summary>
    private const string TokenPlaceholder = "{token}";

    /// <summary>
    /// Header names a provider cannot set: the proxy's own, those that choose the destination or carry credentials, HTTP's
    /// framing and hop-by-hop fields (RFC 9110 §7.6.1), the body's fields and trace context (set per request), and the
    /// fields some servers and frameworks honour to rewrite the request's path or method, or to stop it early
    /// (<c>Max-Forwards</c>, RFC 9110 §7.6.2): a provider's static header must not change which call the app made.
    /// </summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "Cookie2", "Set-Cookie", "Host", "Content-Length",
        "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "Expect",
        "Forwarded", "Via", "traceparent", "tracestate", "baggage",
        "X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "Max-Forwards",
    };

    private static readonly Dictionary<string, HttpMethod> RevocationMethods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["POST"] = HttpMethod.Post,
        ["DELETE"] = HttpMethod.Delete,
    };

    private sealed record Quirks(RevocationEndpoint? Revocation, IReadOnlyList<StaticHeader> Headers, ErrorHints ErrorHints, ScopeHeaders? ScopeHeaders, string? TestPath);

    private static Quirks ParseQuirks(
        ProviderOptions o, string key, string? clientId, TokenEndpointAuth tokenAuth, TokenHeaderFormat? tokenHeader, ApiKeyPlacement? apiKey,
        IReadOnlyDictionary<string, ProviderParameter> parameters, IReadOnlyList<AllowedHost> allowedHosts, ProviderDeclarations declared, List<string> errors)
    {
        foreach (var name in new[] { "token", "client_id" })
        {
            if (declared.Parameters.Contains(name))
            {
                errors.Add($"{key}:Parameters:{name}: '{name}' is a placeholder of Revocation:Url the proxy fills itself; name the parameter otherwise.");
            }
        }

        if (o.RefreshTokenLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            errors.Add($"{key}:RefreshTokenLifetime: must be positive.");
        }

        if (o.RefreshTokenIdleLifetime is { } idle && idle <= TimeSpan.Zero)
        {
            errors.Add($"{key}:RefreshTokenIdleLifetime: must be positive.");
        }

        if (o.Revocation is not null && !string.IsNullOrWhiteSpace(o.RevocationUrl))
        {
            errors.Add($"{key}: set RevocationUrl (RFC 7009) or Revocation, not both.");
        }

        var revocation = o.Revocation is { } r ? ParseRevocation(r, $"{key}:Revocation", clientId, tokenAuth, parameters, allowedHosts, declared, errors) : null;
        var headers = ParseHeaders(o.Headers, $"{key}:Headers", tokenHeader, apiKey, parameters, declared, errors);
        var hints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (match, hint) in o.ErrorHints ?? [])
        {
            if (string.IsNullOrWhiteSpace(match) || string.IsNullOrWhiteSpace(hint))
            {
                errors.Add($"{key}:ErrorHints: '{match}' needs both an error code or phrase and the text to show.");
            }
            else if (match.Any(char.IsControl) || hint.Any(char.IsControl))
            {
                errors.Add($"{key}:ErrorHints:{match}: must not contain control characters.");
            }
            else
            {
                hints[match] = hint;
            }
        }

        return new Quirks(revocation, headers, hints.Count == 0 ? ErrorHints.None : new ErrorHints(hints),
            ParseScopeHeaders(o.ScopeHeaders, $"{key}:ScopeHeaders", errors), ParseTestPath(o.TestPath, $"{key}:TestPath", errors));
    }

    private static List<StaticHeader> ParseHeaders(
        Dictionary<string, string>? configured, string key, TokenHeaderFormat? tokenHeader, ApiKeyPlacement? apiKey,
        IReadOnlyDictionary<string, ProviderParameter> parameters, ProviderDeclarations declared, List<string> errors)
    {
        var headers = new List<StaticHeader>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in configured ?? [])
        {
            var at = $"{key}:{name}";
            // RFC 9110 §5.1: a field name is a token.
            if (name.Length == 0 || !name.All(TokenHeaderFormat.IsTokenChar))
            {
                errors.Add($"{at}: '{name}' is not a valid HTTP field name.");
                continue;
            }

            if (!seen.Add(name))
            {
                errors.Add($"{at}: named twice (header names ignore case).");
                continue;
            }

            if (ReservedHeaders.Contains(name) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("TokenProxy-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, tokenHeader?.Name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, apiKey?.Header, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{at}: '{name}' is a field the proxy controls (destination, credentials, framing or its own) or one that rewrites the request; it cannot be set here.");
                continue;
            }

            // RFC 9110 §5.5: CR, LF and NUL are never allowed in a field value; other controls are refused as well.
            if (value is null || value.Any(c => char.IsControl(c) && c != '\t') || value.Trim().Length == 0)
            {
                errors.Add($"{at}: the value must be non-empty and hold no CR, LF or other control character.");
                continue;
            }

            var placeholders = new List<ProviderParameter>();
            var known = true;
            foreach (var placeholder in StaticHeader.PlaceholdersOf(value).Distinct(StringComparer.Ordinal))
            {
                if (parameters.TryGetValue(placeholder, out var parameter))
                {
                    placeholders.Add(parameter);
                    continue;
                }

                known = false;
                if (!declared.Parameters.Contains(placeholder))
                {
                    errors.Add($"{at}: the placeholder {{{placeholder}}} is not declared under Parameters.");
                }
            }

            if (known && UrlTemplate.IsTemplate(string.Concat(StaticHeader.PlaceholdersOf(value).Aggregate(value, (v, p) => v.Replace($"{{{p}}}", string.Empty, StringComparison.Ordinal)))))
            {
                errors.Add($"{at}: '{value}' has a '{{' or '}}' that is not a placeholder ({{name}}: letters, digits and '_').");
                continue;
            }

            if (known)
            {
                headers.Add(new StaticHeader(name, value, placeholders));
            }
        }

        return headers;
    }

    private static RevocationEndpoint? ParseRevocation(
        RevocationOptions o, string key, string? clientId, TokenEndpointAuth tokenAuth,
        IReadOnlyDictionary<string, ProviderParameter> parameters, IReadOnlyList<AllowedHost> allowedHosts, ProviderDeclarations declared, List<string> errors)
    {
        var before = errors.Count;
        if (!RevocationMethods.TryGetValue(o.Method ?? "POST", out var method))
        {
            errors.Add($"{key}:Method: '{o.Method}' is not one of POST, DELETE.");
        }

        var clientAuth = (o.ClientAuth?.ToLowerInvariant()) switch
        {
            null => tokenAuth switch
            {
                TokenEndpointAuth.ClientSecretBasic => RevocationClientAuth.Basic,
                TokenEndpointAuth.ClientSecretPost => RevocationClientAuth.Post,
                _ => RevocationClientAuth.None,
            },
            "basic" => RevocationClientAuth.Basic,
            "post" => RevocationClientAuth.Post,
            "none" => RevocationClientAuth.None,
            _ => Invalid(RevocationClientAuth.None, $"{key}:ClientAuth: '{o.ClientAuth}' is not one of basic, post, none.", errors),
        };

        var tokenIn = (o.TokenIn?.ToLowerInvariant()) switch
        {
            null or "form" => RevocationTokenPlacement.Form,
            "json" => RevocationTokenPlacement.Json,
            "query" => RevocationTokenPlacement.Query,
            "path" => RevocationTokenPlacement.Path,
            _ => Invalid(RevocationTokenPlacement.Form, $"{key}:TokenIn: '{o.TokenIn}' is not one of form, json, query, path.", errors),
        };

        var (refresh, access) = (o.Tokens?.ToLowerInvariant()) switch
        {
            null or "both" => (true, true),
            "refresh" => (true, false),
            "access" => (false, true),
            _ => Invalid((true, true), $"{key}:Tokens: '{o.Tokens}' is not one of refresh, access, both.", errors),
        };

        if (tokenIn == RevocationTokenPlacement.Path && o.TokenField is not null)
        {
            errors.Add($"{key}:TokenField: not used when TokenIn is path (the token is the {TokenPlaceholder} of Url).");
        }

        var field = o.TokenField ?? "token";
        // RFC 3986 §2.3: an unreserved name needs no escaping in a form, a query or a JSON member.
        if (field.Length == 0 || !field.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
        {
            errors.Add($"{key}:TokenField: '{field}' must be letters, digits, '-', '.', '_' or '~'.");
        }

        if (string.IsNullOrWhiteSpace(o.Url))
        {
            errors.Add($"{key}:Url: is required.");
            return null;
        }

        var text = o.Url;
        var tokens = CountOf(text, TokenPlaceholder);
        if (tokenIn == RevocationTokenPlacement.Path ? tokens != 1 : tokens != 0)
        {
            errors.Add(tokenIn == RevocationTokenPlacement.Path
                ? $"{key}:Url: '{text}' must have {TokenPlaceholder} once in its path when TokenIn is path."
                : $"{key}:Url: {TokenPlaceholder} can stand in the URL only when TokenIn is path.");
        }

        if (errors.Count > before)
        {
            return null;
        }

        if (text.Contains(ClientIdPlaceholder, StringComparison.Ordinal))
        {
            if (clientId is null)
            {
                // No ClientId, no client to revoke for (a preset nobody configured, or imported tokens only): revoke is local.
                return null;
            }

            text = text.Replace(ClientIdPlaceholder, Uri.EscapeDataString(clientId), StringComparison.Ordinal);
        }

        text = text.Replace(TokenPlaceholder, RevocationEndpoint.TokenMarker, StringComparison.Ordinal);
        Uri? url = null;
        UrlTemplate? template = null;
        if (UrlTemplate.IsTemplate(text))
        {
            template = UrlTemplate.Parse(text, $"{key}:Url", parameters, allowedHosts, declared, errors);
        }
        else
        {
            url = RequireUrl(text, $"{key}:Url", required: true, errors);
        }

        if (url is null && template is null)
        {
            return null;
        }


        // The token goes in the path only: never in the host (a DNS lookup would carry it) nor in the query as written.
        if (tokenIn == RevocationTokenPlacement.Path && !InPath(text, text.IndexOf(RevocationEndpoint.TokenMarker, StringComparison.Ordinal)))
        {
            errors.Add($"{key}:Url: {TokenPlaceholder} can stand only in the path.");
            return null;
        }

        return new RevocationEndpoint(url, template, method!, clientAuth, tokenIn, field, refresh, access);
    }

    /// <summary>True when position <paramref name="at"/> of a URL's text lies in its path: after the authority, before any query.</summary>
    private static bool InPath(string text, int at)
    {
        var before = text[..at];
        var scheme = before.IndexOf("://", StringComparison.Ordinal);
        var afterScheme = scheme < 0 ? before : before[(scheme + 3)..];
        return afterScheme.Contains('/', StringComparison.Ordinal) && before.IndexOfAny(['?', '#']) < 0;
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static T Invalid<T>(T fallback, string error, List<string> errors)
    {
        errors.Add(error);
        return fallback;
    }

    private static ScopeHeaders? ParseScopeHeaders(ScopeHeadersOptions? options, string key, List<string> errors)
    {
        if (options is null)
        {
            return null;
        }

        string? Name(string? value, string option)
        {
            if (value is null)
            {
                return null;
            }

            if (value.Length == 0 || !value.All(TokenHeaderFormat.IsTokenChar))
            {
                errors.Add($"{key}:{option}: '{value}' is not a header name (RFC 9110 §5.1: letters, digits and !#$%&'*+-.^_`|~).");
                return null;
            }

            return value;
        }

        var granted = Name(options.Granted, "Granted");
        var accepted = Name(options.Accepted, "Accepted");
        if (options.Accepted is null)
        {
            errors.Add($"{key}:Accepted: required: the header naming the scopes an operation accepts (GitHub: X-Accepted-OAuth-Scopes).");
        }

        return accepted is null ? null : new ScopeHeaders(granted, accepted);
    }

    /// <summary>
    /// A path below the API base: starts with one <c>/</c>, no dot-segment, no query marker other than in a query, no
    /// fragment, no whitespace or control characters; so the read stays on the connection's own API.
    /// </summary>
    private static string? ParseTestPath(string? path, string key, List<string> errors)
    {
        if (path is null)
        {
            return null;
        }

        var pathPart = path.Split('?', 2)[0];
        if (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal)
            || path.Contains('\\', StringComparison.Ordinal) || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c > '~')
            || pathPart.Split('/').Any(segment => segment is "." or ".." || segment.Contains('%', StringComparison.Ordinal)))
        {
            errors.Add($"{key}: '{path}' must be a path below the API base: starting with one '/', without '.', '..', '%', '\\', '#' or spaces.");
            return null;
        }

        return path;
    }
}
