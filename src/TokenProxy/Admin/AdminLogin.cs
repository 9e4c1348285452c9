using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TokenProxy.Admin;

/// <summary>
/// Signing in to the admin pages when <c>Admin:Token</c> is set: a browser cannot attach a Bearer header
/// to a navigation, so the token, typed once into a form, becomes an HttpOnly, SameSite=Strict cookie
/// scoped to <c>/admin</c>. The cookie holds a value derived from the token, never the token itself.
/// </summary>
internal static class AdminLogin
{
    public const string CookieName = "tokenproxy_admin";

    /// <summary>Marks the endpoints the access filter lets through without credentials.</summary>
    public sealed class AnonymousMarker;

    public static RouteGroupBuilder MapAdminLogin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/login", () => Form(failed: false)).WithMetadata(new AnonymousMarker());
        admin.MapPost("/login", SignInAsync).WithMetadata(new AnonymousMarker()).DisableAntiforgery();
        // Anonymous, so that a cookie no longer valid (the token changed) can be cleared too.
        admin.MapPost("/logout", SignOut).WithMetadata(new AnonymousMarker()).DisableAntiforgery();
        return admin;
    }

    /// <summary>The cookie value for an admin token: a one-way derivation, so the cookie never reveals the token.</summary>
    public static byte[] CookieValue(string token) => SHA256.HashData(Encoding.UTF8.GetBytes($"tokenproxy-admin-cookie:{token}"));

    private static async Task<IResult> SignInAsync(HttpContext context, IOptions<AdminOptions> options, AdminTokenGuesses guesses)
    {
        // A login form on another site must not sign this browser in. Same-site is not enough: every other port on
        // localhost is the same site.
        if (ForeignPost(context.Request))
        {
            return AdminPage.Message(StatusCodes.Status403Forbidden, "Sign in here", "Open the TokenProxy admin pages directly to sign in.");
        }

        if (await AdminPage.ReadFormAsync(context.Request, context.RequestAborted) is not { } form)
        {
            return AdminPage.UnreadableForm();
        }

        if (guesses.Wait(context) is { } wait)
        {
            return AdminTokenGuesses.TooMany(context, wait);
        }

        var expected = options.Value.Token;
        var given = form["token"].ToString();
        if (string.IsNullOrEmpty(expected) || !CryptographicOperations.FixedTimeEquals(CookieValue(given), CookieValue(expected)))
        {
            // An empty form guesses nothing.
            if (given.Length > 0)
            {
                guesses.Wrong(context);
            }

            return Form(failed: true);
        }

        context.Response.Cookies.Append(CookieName, Convert.ToBase64String(CookieValue(expected)), CookieOptions(context.Request));
        context.Response.Headers.Location = "/admin/connections";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>
    /// Clears this browser's cookie. The cookie is derived from the token, so one copied elsewhere keeps working until
    /// <c>Admin:Token</c> changes (README, Admin access).
    /// </summary>
    private static IResult SignOut(HttpContext context)
    {
        // Another site (another port on localhost too) must not sign this browser out either.
        if (ForeignPost(context.Request))
        {
            return AdminPage.Message(StatusCodes.Status403Forbidden, "Sign out here", "Open the TokenProxy admin pages directly to sign out.");
        }

        ClearCookie(context);
        context.Response.Headers.Location = "/admin/login";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>Clears this browser's admin cookie.</summary>
    public static void ClearCookie(HttpContext context) => context.Response.Cookies.Delete(CookieName, CookieOptions(context.Request));

    /// <summary>
    /// A post from a page of another origin, as the browser tells: Fetch Metadata where it sends it, else the
    /// <c>Origin</c> of its post. A client that sends neither (curl, a script) is no page.
    /// </summary>
    private static bool ForeignPost(HttpRequest request) => request.Headers["Sec-Fetch-Site"] is [{ } site]
        ? site is not ("same-origin" or "none")
        : request.Headers.Origin is [{ } origin] && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);

    private static CookieOptions CookieOptions(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/admin",
    };

    private static IResult Form(bool failed) =>
        AdminPage.Render<LoginPage, LoginForm>(new LoginForm(failed), failed ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK);
}
