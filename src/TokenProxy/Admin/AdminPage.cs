using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TokenProxy.Admin;

/// <summary>
/// Renders an admin page: a Razor component, statically on the server (no circuit, no Blazor script), with the
/// headers every page carries: never cached, no referrer, and a Content-Security-Policy that allows the page's
/// own stylesheet and script only.
/// </summary>
internal static class AdminPage
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// Renders <typeparamref name="TPage"/> with <paramref name="model"/> as a cascading value. Razor components
    /// are public classes whose parameters must be public, while the models are internal, so the page takes its
    /// model as a private <c>[CascadingParameter]</c> rather than as a <c>[Parameter]</c>. A form whose answer redirects to
    /// a provider names its origins in <c>formTargets</c>: CSP <c>form-action</c> also governs the redirects that follow a
    /// submission (CSP Level 3 §6.4.1).
    /// </summary>
    public static IResult Render<TPage, TModel>(TModel model, int status = StatusCodes.Status200OK, IEnumerable<string>? formTargets = null)
        where TPage : IComponent
        where TModel : class
    {
        var policy = formTargets is null
            ? ContentSecurityPolicy
            : ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {string.Join(' ', formTargets)}", StringComparison.Ordinal);
        return new PageResult(policy, new RazorComponentResult<CascadingValue<TModel>>(new Dictionary<string, object?>
        {
            [nameof(CascadingValue<TModel>.Value)] = model,
            [nameof(CascadingValue<TModel>.IsFixed)] = true,
            [nameof(CascadingValue<TModel>.ChildContent)] = (RenderFragment)(page =>
            {
                page.OpenComponent<TPage>(0);
                page.CloseComponent();
            }),
        })
        {
            StatusCode = status,
        });
    }

    /// <summary>A page for an outcome a person sees in the browser: a failed connect or callback.</summary>
    public static IResult Message(int status, string title, string message) =>
        Render<MessagePage, PageMessage>(new PageMessage(title, message), status);

    /// <summary>
    /// A page for an outcome a person without admin access sees (a connect request's link): like <see cref="Message"/>,
    /// without the admin navigation or any admin link.
    /// </summary>
    public static IResult PlainMessage(int status, string title, string message) =>
        Render<PlainMessagePage, PageMessage>(new PageMessage(title, message), status);

    /// <summary>
    /// A page's form post, read within ASP.NET Core's form limits: a body that is no form is an empty one, and null means
    /// it could not be read (over the limits, malformed multipart, cut off): the caller answers <see cref="UnreadableForm"/>.
    /// </summary>
    public static async Task<IFormCollection?> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return FormCollection.Empty;
        }

        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The answer to a form <see cref="ReadFormAsync"/> could not read; <paramref name="plain"/> for a page without the admin navigation.</summary>
    public static IResult UnreadableForm(bool plain = false)
    {
        const string Title = "The form could not be read";
        const string Text = "Send the form from its page again.";
        return plain ? PlainMessage(StatusCodes.Status400BadRequest, Title, Text) : Message(StatusCodes.Status400BadRequest, Title, Text);
    }

    private sealed class PageResult(string contentSecurityPolicy, RazorComponentResult page) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var headers = httpContext.Response.Headers;
            headers.CacheControl = "no-store";
            headers["Referrer-Policy"] = "no-referrer";
            headers["X-Content-Type-Options"] = "nosniff";
            headers.ContentSecurityPolicy = contentSecurityPolicy;
            return page.ExecuteAsync(httpContext);
        }
    }
}
