namespace TokenProxy.Proxy;

/// <summary>
/// A failure the proxy itself produced: RFC 9457 <c>application/problem+json</c>, <c>Cache-Control: no-store</c>,
/// and a <c>TokenProxy-Error</c> header naming the problem so an app can tell it from an upstream answer; plus the
/// <paramref name="header"/> its status calls for (RFC 9110: <c>Allow</c> on a 405, <c>Proxy-Authenticate</c> on a 407).
/// </summary>
internal sealed class ProblemResult(
    int status,
    string code,
    string title,
    string? detail = null,
    IReadOnlyDictionary<string, object?>? extensions = null,
    TimeSpan? retryAfter = null,
    KeyValuePair<string, string>? header = null) : IResult
{
    public const string ErrorHeader = "TokenProxy-Error";

    public int Status => status;

    public string Code => code;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var headers = httpContext.Response.Headers;
        headers[ErrorHeader] = code;
        headers.CacheControl = "no-store";
        if (header is { } extra)
        {
            headers[extra.Key] = extra.Value;
        }

        if (retryAfter is { } wait)
        {
            headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var body = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                body[key] = value;
            }
        }

        return TypedResults.Problem(detail, instance: null, status, title, $"urn:tokenproxy:problem:{code.Replace('_', '-')}", body)
            .ExecuteAsync(httpContext);
    }
}
