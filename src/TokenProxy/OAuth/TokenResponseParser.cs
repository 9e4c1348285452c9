using System.Globalization;
using System.Net;
using System.Text.Json;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>
/// Reads token endpoint answers defensively, as providers really send them: JSON or form-encoded
/// bodies, errors inside HTTP 200 (GitHub <c>bad_refresh_token</c>, Slack <c>ok:false</c>), tokens nested
/// under a path (Slack <c>authed_user</c>), <c>expires_in</c> as a number or a string or missing,
/// <c>token_type</c> in any case. Tokens that could not travel safely in a header are rejected.
/// </summary>
internal static class TokenResponseParser
{
    // Error codes that mean "try again later" even when the answer looks like a refusal.
    private static readonly HashSet<string> TransientErrors = new(StringComparer.OrdinalIgnoreCase)
    {
        "temporarily_unavailable", "server_error", "slow_down", "ratelimited", "rate_limited", "internal_error", "service_unavailable",
    };

    private static readonly HashSet<string> SecretFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "access_token", "refresh_token", "id_token", "client_secret", "code",
    };

    public static TokenResult<TokenSet> Parse(HttpStatusCode status, string? mediaType, string body, TimeSpan? retryAfter, ProviderDefinition provider)
    {
        var code = (int)status;
        if (code is >= 300 and < 400)
        {
            // RFC 9700 §4.12: a token request is never re-sent to where a redirect points.
            return TokenFailure.Transient("redirect", $"The token endpoint answered {code} with a redirect; it was not followed.", retryAfter, code);
        }

        if (code >= 500 || code is 408 or 429)
        {
            return TokenFailure.Transient($"http_{code}", $"The token endpoint answered {code}.", retryAfter, code);
        }

        var fields = ReadBody(mediaType, body);
        if (fields is null)
        {
            // RFC 6749 §5.2: the server says why it refuses (400, or 401 for client authentication). Any other
            // answer without an OAuth error — a firewall's 403 page, a 404 during a deploy — is not the provider
            // rejecting this grant, and must not make a person reconnect.
            return code is 400 or 401
                ? TokenFailure.Rejected($"http_{code}", $"The token endpoint answered {code}.", code)
                : TokenFailure.Transient(code is >= 200 and < 300 ? "invalid_response" : $"http_{code}",
                    $"The token endpoint answered {code} with a body that is not an OAuth response.", retryAfter, code);
        }

        var root = fields.Value;
        var error = Text(root, "error");
        if (!string.IsNullOrEmpty(error) || (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.False))
        {
            error = string.IsNullOrEmpty(error) ? "error" : ProviderText.Code(error)!;
            var description = ProviderText.Description(Text(root, "error_description") ?? Text(root, "message"));
            // An OAuth error in a 200 (GitHub, Slack), 400 or 401 answer is the provider's verdict on this grant.
            return TransientErrors.Contains(error) || code is not (200 or 400 or 401)
                ? TokenFailure.Transient(error, description, retryAfter, code)
                : TokenFailure.Rejected(error, description, code);
        }

        if (code is < 200 or >= 300)
        {
            return code is 400 or 401
                ? TokenFailure.Rejected($"http_{code}", $"The token endpoint answered {code}.", code)
                : TokenFailure.Transient($"http_{code}", $"The token endpoint answered {code}.", retryAfter, code);
        }

        var tokens = root;
        if (Text(root, "access_token") is null && provider.TokenResponsePath is { } path && Find(root, path) is { ValueKind: JsonValueKind.Object } nested)
        {
            tokens = nested;
        }

        var accessToken = Text(tokens, "access_token");
        if (accessToken is null)
        {
            return TokenFailure.Rejected("invalid_token_response", "The token endpoint's answer has no access_token.", code);
        }

        var refreshToken = Text(tokens, "refresh_token");
        if (!TokenValue.IsValid(accessToken) || (refreshToken is not null && !TokenValue.IsValid(refreshToken)))
        {
            return TokenFailure.Rejected("invalid_token_response", "The token endpoint returned a token with characters that cannot be sent in an HTTP header; it was not stored.", code);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in provider.TokenResponseFields)
        {
            if (!SecretFields.Contains(field[(field.LastIndexOf('.') + 1)..]) && Find(root, field) is { } value && Scalar(value) is { } text)
            {
                metadata[field] = text;
            }
        }

        Dictionary<string, string>? placeholders = null;
        foreach (var parameter in provider.Parameters.Values)
        {
            if (parameter.Kind == ParameterKind.TokenResponse && (Text(tokens, parameter.Name) ?? Text(root, parameter.Name)) is { } value)
            {
                (placeholders ??= new Dictionary<string, string>(StringComparer.Ordinal))[parameter.Name] = value;
            }
        }

        var answer = new TokenSet(
            accessToken,
            refreshToken,
            ExpiresIn(tokens, "expires_in") ?? ExpiresIn(root, "expires_in"),
            Text(tokens, "token_type") ?? Text(root, "token_type"),
            (Text(tokens, "scope") ?? Text(root, "scope"))?.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries),
            metadata);
        answer = answer with { RefreshTokenExpiresIn = refreshToken is null ? null : ExpiresIn(tokens, "refresh_token_expires_in") ?? ExpiresIn(root, "refresh_token_expires_in") };
        return TokenResult<TokenSet>.Success(placeholders is null ? answer : answer with { Placeholders = placeholders });
    }

    private static JsonElement? ReadBody(string? mediaType, string body)
    {
        var trimmed = body.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return null;
            }
        }

        // GitHub answers application/x-www-form-urlencoded unless asked for JSON; read it the same way.
        if (mediaType is "application/x-www-form-urlencoded" or "text/plain" && trimmed.Contains('=', StringComparison.Ordinal))
        {
            var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(trimmed);
            return JsonSerializer.SerializeToElement(form.ToDictionary(p => p.Key, p => p.Value.ToString()));
        }

        return null;
    }

    /// <summary>A lifetime in seconds (<c>expires_in</c>, <c>refresh_token_expires_in</c>), as a number or a string.</summary>
    private static TimeSpan? ExpiresIn(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(field, out var value))
        {
            return null;
        }

        double seconds;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
        {
            seconds = number;
        }
        else if (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            seconds = parsed;
        }
        else
        {
            return null;
        }

        // Zero or negative means "unknown" in practice (some providers send 0 for non-expiring tokens).
        return seconds > 0 && seconds < TimeSpan.FromDays(3650).TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    /// <summary>Follows a dotted path (<c>team.id</c>) through nested objects.</summary>
    public static JsonElement? Find(JsonElement root, string path)
    {
        var current = root;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }
}
