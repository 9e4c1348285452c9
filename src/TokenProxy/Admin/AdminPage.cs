using System.Text.Encodings.Web;

namespace TokenProxy.Admin;

/// <summary>
/// A small self-contained HTML page (no external resources) for outcomes a person sees in the browser:
/// a failed connect or callback. Every value is HTML-encoded; nothing secret is ever passed in.
/// </summary>
internal sealed class AdminPage(int status, string title, string message) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var encoder = HtmlEncoder.Default;
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = "text/html; charset=utf-8";
        httpContext.Response.Headers.CacheControl = "no-store";
        httpContext.Response.Headers["Referrer-Policy"] = "no-referrer";
        httpContext.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
        await httpContext.Response.WriteAsync($$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{encoder.Encode(title)}} · TokenProxy</title>
            <style>
              body { font: 16px/1.5 system-ui, sans-serif; color: #1f2933; background: #f5f7fa; margin: 0; }
              main { max-width: 36rem; margin: 4rem auto; background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 2rem; }
              h1 { font-size: 1.25rem; margin: 0 0 1rem; }
              a { color: #2563eb; }
            </style>
            </head>
            <body>
            <main role="main">
              <h1>{{encoder.Encode(title)}}</h1>
              <p>{{encoder.Encode(message)}}</p>
              <p><a href="/admin/connections">Back to connections</a></p>
            </main>
            </body>
            </html>
            """);
    }
}
