using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace TokenProxy.Admin;

/// <summary>
/// The frame every admin page shares: one stylesheet and one script from <c>/admin/assets</c>, no inline
/// script and no third-party resource (the Content-Security-Policy says so), never cached, no referrer.
/// Every value goes through <see cref="Html"/>; nothing secret is ever passed in.
/// </summary>
internal static class PageLayout
{
    public static string Html(string? value) => HtmlEncoder.Default.Encode(value ?? string.Empty);

    public static IResult Render(string title, string body, int status = StatusCodes.Status200OK, string? toast = null, bool toastIsError = false) =>
        new PageResult(status, Document(title, body, toast, toastIsError));

    private static string Document(string title, string body, string? toast, bool toastIsError)
    {
        var page = new StringBuilder();
        page.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Html(title)}} · TokenProxy</title>
            <link rel="stylesheet" href="/admin/assets/admin.css">
            <script src="/admin/assets/admin.js" defer></script>
            </head>
            <body>
            <header class="top"><a class="brand" href="/admin/connections">TokenProxy</a><nav><a href="/admin/connections">Connections</a></nav></header>
            <main id="main">
            """);
        if (toast is not null)
        {
            page.Append(CultureInfo.InvariantCulture, $"""<div class="toast{(toastIsError ? " toast-error" : string.Empty)}" role="status" aria-live="polite">{toast}</div>""");
        }

        page.Append(body);
        page.Append("</main>\n</body>\n</html>\n");
        return page.ToString();
    }

    private sealed class PageResult(int status, string html) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers["X-Content-Type-Options"] = "nosniff";
            response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            return response.WriteAsync(html);
        }
    }
}
