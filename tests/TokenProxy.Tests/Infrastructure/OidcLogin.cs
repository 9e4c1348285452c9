using System.Net;
using System.Text.RegularExpressions;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// Drives oidc-provider's own login and consent pages over plain HTTP, as a browser would: follows each
/// redirect by hand, fills the login form (any login and password work; the login becomes the subject),
/// approves the consent form, and stops at the redirect back to the client.
/// </summary>
internal static partial class OidcLogin
{
    /// <returns>The URL the provider sent the browser back to (the proxy's callback, with code, state and iss).</returns>
    public static async Task<Uri> AuthorizeAsync(Uri authorizationUrl, string login, string redirectPrefix)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var url = authorizationUrl;
        HttpContent? post = null;
        for (var step = 0; step < 20; step++)
        {
            using var response = post is null ? await browser.GetAsync(url) : await browser.PostAsync(url, post);
            post = null;
            if (response.StatusCode is HttpStatusCode.SeeOther or HttpStatusCode.Found or HttpStatusCode.Redirect)
            {
                url = new Uri(url, response.Headers.Location!);
                if (url.AbsoluteUri.StartsWith(redirectPrefix, StringComparison.Ordinal))
                {
                    return url;
                }

                continue;
            }

            var page = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"The authorization server answered {(int)response.StatusCode}: {page}");
            var action = new Uri(url, WebUtility.HtmlDecode(FormAction().Match(page).Groups[1].Value));
            var fields = page.Contains("name=\"login\"", StringComparison.Ordinal)
                ? new Dictionary<string, string> { ["prompt"] = "login", ["login"] = login, ["password"] = "any-password" }
                : new Dictionary<string, string> { ["prompt"] = "consent" };
            (url, post) = (action, new FormUrlEncodedContent(fields));
        }

        throw new InvalidOperationException("The authorization did not come back to the client within 20 steps.");
    }

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"")]
    private static partial Regex FormAction();
}
