using Microsoft.AspNetCore.Http.Features;

namespace TokenProxy.Proxy;

/// <summary>
/// Under an API base whose path has a placeholder (<c>/ex/jira/{cloudId}</c>), the part before it is shared by every
/// connection. An encoded separator (<c>%2F</c>, <c>%5C</c>) or a dot-segment (<c>..</c>, <c>.</c>, RFC 3986 §5.2.4;
/// <c>..;</c>, which Java servers read as <c>..</c>; <c>%2E%2E</c>) is one the API may decode or resolve after the
/// proxy, climbing into another connection's part: such a path is refused before anything is sent. Kestrel has already
/// resolved the dot-segments it saw, so the target as the app sent it is read too.
/// </summary>
internal static class ConfinedPath
{
    /// <summary>True when the request's path holds an encoded separator or a dot-segment, as sent or as decoded.</summary>
    public static bool Escapes(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return Escapes(context.Request.Path.Value ?? string.Empty) || Escapes(query < 0 ? raw : raw[..query]);
    }

    private static bool Escapes(string path) =>
        path.Contains("%2F", StringComparison.OrdinalIgnoreCase) || path.Contains("%5C", StringComparison.OrdinalIgnoreCase)
        || path.Contains('\\', StringComparison.Ordinal)
        || path.Split('/').Any(IsDotSegment);

    private static bool IsDotSegment(string segment)
    {
        var dots = segment.Replace("%2E", ".", StringComparison.OrdinalIgnoreCase);
        var parameters = dots.IndexOf(';', StringComparison.Ordinal);
        return (parameters < 0 ? dots : dots[..parameters]) is "." or "..";
    }
}
