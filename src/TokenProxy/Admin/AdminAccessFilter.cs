using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TokenProxy.Proxy;

namespace TokenProxy.Admin;

/// <summary>
/// Guards the whole admin surface. Without <c>Admin:Token</c> only loopback clients get in; with it,
/// every request must carry it (compared in constant time). State changes also need
/// <c>TokenProxy-Csrf: 1</c>: a custom header forces a CORS preflight, which a foreign page cannot pass,
/// so no other site can make a person's browser revoke or delete anything. Wrong tokens are counted per address
/// (<see cref="AdminTokenGuesses"/>). Admin answers are never cached.
/// </summary>
internal sealed class AdminAccessFilter(IOptions<AdminOptions> options, AdminTokenGuesses guesses) : IEndpointFilter
{
    public const string CsrfHeader = "TokenProxy-Csrf";

    private readonly byte[]? _tokenHash = options.Value.Token is { Length: > 0 } token ? Hash(token) : null;
    private readonly byte[]? _cookieValue = options.Value.Token is { Length: > 0 } token ? AdminLogin.CookieValue(token) : null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers.CacheControl = "no-store";
        if (http.GetEndpoint()?.Metadata.GetMetadata<AdminLogin.AnonymousMarker>() is not null)
        {
            return await next(context);
        }

        if (_tokenHash is null)
        {
            if (http.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
            {
                return AdminProblems.Forbidden("The admin surface answers loopback clients only. Set TokenProxy:Admin:Token to allow remote administration.");
            }
        }
        else if (!Presents(http.Request))
        {
            return SignInNeeded(http, refused: false);
        }
        else if (guesses.Wait(http) is { } wait)
        {
            return AdminTokenGuesses.TooMany(http, wait);
        }
        else if (!HasValidToken(http.Request) && !HasValidCookie(http.Request))
        {
            guesses.Wrong(http);
            // A cookie from before Admin:Token changed is cleared, so that the browser stops presenting it: otherwise each
            // page it opens counts as a wrong token, and ten lock its person out.
            if (http.Request.Cookies.ContainsKey(AdminLogin.CookieName))
            {
                AdminLogin.ClearCookie(http);
            }

            return SignInNeeded(http, refused: http.Request.Headers.Authorization.Count > 0);
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && http.Request.Headers[CsrfHeader] != "1")
        {
            return AdminProblems.Forbidden($"State-changing admin requests need the header '{CsrfHeader}: 1'.", "csrf_required");
        }

        return await next(context);
    }

    /// <summary>Whether the request presents an admin token at all: a Bearer header or the sign-in cookie, not empty.</summary>
    private static bool Presents(HttpRequest request) =>
        request.Headers.Authorization.ToString().Trim() is { Length: > 0 } authorization && !authorization.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
        || request.Cookies[AdminLogin.CookieName] is { Length: > 0 };

    private static object SignInNeeded(HttpContext http, bool refused)
    {
        if (HttpMethods.IsGet(http.Request.Method) && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal))
        {
            return Results.Redirect("/admin/login");
        }

        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"tokenproxy-admin\"";
        // A token sent but wrong is told apart from none sent: the fix differs (which token, not whether to send one).
        return refused
            ? new ProblemResult(StatusCodes.Status401Unauthorized, "admin_unauthorized", "Admin token refused.",
                "The token sent as 'Authorization: Bearer <token>' is not this proxy's TokenProxy:Admin:Token.")
            : new ProblemResult(StatusCodes.Status401Unauthorized, "admin_unauthorized", "Admin token required.",
                "Send the configured admin token as 'Authorization: Bearer <token>'.");
    }

    private bool HasValidToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Comparing fixed-length hashes in constant time reveals neither content nor length.
        return CryptographicOperations.FixedTimeEquals(Hash(header[Bearer.Length..].Trim()), _tokenHash);
    }

    private bool HasValidCookie(HttpRequest request)
    {
        var cookie = request.Cookies[AdminLogin.CookieName];
        if (cookie is null || _cookieValue is null)
        {
            return false;
        }

        try
        {
            return CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(cookie), _cookieValue);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
