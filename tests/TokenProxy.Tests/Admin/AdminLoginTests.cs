using System.Net;
using TokenProxy.Admin;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Admin;

/// <summary>With an admin token, a person signs in once in the browser; the pages and their script then work by cookie.</summary>
public sealed class AdminLoginTests
{
    private const string AdminToken = "admin-token-for-tests-0123456789";

    [Fact]
    public async Task Pages_redirect_to_sign_in_and_work_with_the_cookie_it_sets()
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["TokenProxy:Admin:Token"] = AdminToken });
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = proxy.Address };
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        using var before = await browser.GetAsync("/admin/connections");
        using var wrong = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "not-the-token-0123456789" }));
        using var signIn = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = AdminToken }));
        using var after = await browser.GetAsync("/admin/connections");
        using var api = await browser.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", new { provider = "github", accessToken = "abc" }));

        Assert.Equal(HttpStatusCode.Redirect, before.StatusCode);
        Assert.Equal("/admin/login", before.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        var setCookie = signIn.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AdminToken, setCookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(HttpStatusCode.Created, api.StatusCode);
        Canary.AssertAbsent(AdminToken, proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task Sign_out_clears_the_cookie_so_the_pages_ask_to_sign_in_again_and_another_site_cannot_sign_a_browser_out()
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["TokenProxy:Admin:Token"] = AdminToken });
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = proxy.Address };
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        using var signIn = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = AdminToken }));
        var page = await browser.GetStringAsync("/admin/connections");
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/admin/logout");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var refused = await browser.SendAsync(crossSite);
        // Another port on localhost is the same site, not the same origin.
        using var sameSite = new HttpRequestMessage(HttpMethod.Post, "/admin/logout");
        sameSite.Headers.Add("Sec-Fetch-Site", "same-site");
        using var refusedSameSite = await browser.SendAsync(sameSite);
        // A browser that sends no Fetch Metadata still sends its page's Origin on a post.
        using var foreignOrigin = new HttpRequestMessage(HttpMethod.Post, "/admin/logout");
        foreignOrigin.Headers.Add("Origin", "http://127.0.0.1:1");
        using var refusedOrigin = await browser.SendAsync(foreignOrigin);
        using var stillIn = await browser.GetAsync("/admin/connections");

        using var signOut = await browser.PostAsync("/admin/logout", null);
        using var after = await browser.GetAsync("/admin/connections");

        Assert.Contains("<form class=\"sign-out\" method=\"post\" action=\"/admin/logout\">", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedSameSite.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        Assert.Equal("/admin/login", signOut.Headers.Location!.OriginalString);
        var cleared = signOut.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith($"{AdminLogin.CookieName}=;", cleared, StringComparison.Ordinal);
        Assert.Contains("path=/admin", cleared, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(cookies.GetCookies(new Uri(proxy.Address, "/admin/")));
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/admin/login", after.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Without_an_admin_token_the_pages_offer_no_sign_out()
    {
        await using var proxy = await ProxyHost.StartAsync();

        var page = await proxy.Client.GetStringAsync("/admin/connections");

        Assert.DoesNotContain("/admin/logout", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public async Task Sign_in_posted_from_another_site_or_another_port_is_refused(string site)
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["TokenProxy:Admin:Token"] = AdminToken });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = AdminToken }),
        };
        request.Headers.Add("Sec-Fetch-Site", site);

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task After_ten_wrong_tokens_in_a_minute_an_address_is_refused_before_any_token_is_compared()
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["TokenProxy:Admin:Token"] = AdminToken });
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var wrong = new List<HttpStatusCode>();
        for (var i = 0; i < AdminTokenGuesses.PerMinute; i++)
        {
            using var guess = new HttpRequestMessage(HttpMethod.Get, "/admin/api/connections");
            guess.Headers.Authorization = new("Bearer", $"guess-{i}-0123456789abcdef");
            using var answer = await client.SendAsync(guess);
            wrong.Add(answer.StatusCode);
        }

        using var right = new HttpRequestMessage(HttpMethod.Get, "/admin/api/connections");
        right.Headers.Authorization = new("Bearer", AdminToken);
        using var locked = await client.SendAsync(right);
        using var form = await client.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = AdminToken }));
        using var none = await client.GetAsync("/admin/api/connections");

        Assert.All(wrong, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        var problem = await Problems.AssertProblemAsync(locked, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Contains("Too many wrong admin tokens", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var retryAfter = int.Parse(locked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.False(form.Headers.Contains("Set-Cookie"));
        // Presenting no token guesses nothing: it is told to sign in, as before.
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        var locked1408 = Assert.Single(proxy.Logs.Lines, l => l.Contains("[1408]", StringComparison.Ordinal));
        Assert.StartsWith("Warning ", locked1408, StringComparison.Ordinal);
        Canary.AssertAbsent(AdminToken, proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task An_empty_token_guesses_nothing_and_a_cookie_from_an_old_admin_token_is_cleared_at_its_first_refusal()
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["TokenProxy:Admin:Token"] = AdminToken });
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var empty = new List<HttpStatusCode>();
        for (var i = 0; i < AdminTokenGuesses.PerMinute + 5; i++)
        {
            using var bare = new HttpRequestMessage(HttpMethod.Get, "/admin/api/connections");
            bare.Headers.TryAddWithoutValidation("Authorization", "Bearer ");
            using var answer = await client.SendAsync(bare);
            empty.Add(answer.StatusCode);
            using var form = await client.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = string.Empty }));
            empty.Add(form.StatusCode);
        }

        // A browser signed in before Admin:Token changed: its cookie no longer matches.
        var cookies = new CookieContainer();
        cookies.Add(new Uri(proxy.Address, "/admin/"), new Cookie(AdminLogin.CookieName, Convert.ToBase64String(new byte[32]), "/admin"));
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = proxy.Address };
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        var pages = new List<HttpStatusCode>();
        for (var i = 0; i < AdminTokenGuesses.PerMinute + 5; i++)
        {
            using var page = await browser.GetAsync("/admin/connections");
            pages.Add(page.StatusCode);
        }

        using var signIn = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = AdminToken }));

        Assert.All(empty, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.All(pages, status => Assert.Equal(HttpStatusCode.Redirect, status));
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
    }

    [Fact]
    public async Task Wrong_tokens_typed_into_the_sign_in_form_count_and_the_right_one_before_the_limit_signs_in()
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["TokenProxy:Admin:Token"] = AdminToken });
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = proxy.Address };
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        for (var i = 0; i < AdminTokenGuesses.PerMinute - 1; i++)
        {
            using var wrong = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = $"guess-{i}" }));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var signIn = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = AdminToken }));
        using var last = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "guess-last" }));
        using var locked = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = AdminToken }));

        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, last.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal("text/html; charset=utf-8", locked.Content.Headers.ContentType!.ToString());
        Assert.True(locked.Headers.Contains("Retry-After"));
        Assert.Contains("Too many wrong admin tokens", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_post_that_is_no_form_is_a_failed_sign_in_and_one_over_the_form_limits_a_400_never_a_500()
    {
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["TokenProxy:Admin:Token"] = AdminToken });

        using var empty = await proxy.Client.PostAsync("/admin/login", null);
        using var json = await proxy.Client.PostAsync("/admin/login", new StringContent($$"""{"token":"{{AdminToken}}"}""", System.Text.Encoding.UTF8, "application/json"));
        using var tooMany = await proxy.Client.PostAsync(
            "/admin/login", new FormUrlEncodedContent(Enumerable.Range(0, 1025).Select(i => KeyValuePair.Create($"f{i}", "x"))));

        Assert.Equal(HttpStatusCode.Unauthorized, empty.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, json.StatusCode);
        Assert.False(json.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.DoesNotContain("Exception", proxy.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_needs_the_admin_but_the_callback_from_the_provider_does_not()
    {
        await using var scenario = await TokenProxy.Tests.Tokens.RefreshScenario.StartAsync(s => s["TokenProxy:Admin:Token"] = AdminToken);
        using var anonymous = await scenario.Proxy.Client.GetAsync("/admin/connect/acme");
        using var browser = new TokenProxy.Tests.OAuth.ConnectFlow(scenario.Proxy.Address);
        browser.Cookies.Add(scenario.Proxy.Address, new Cookie(TokenProxy.Admin.AdminLogin.CookieName, Convert.ToBase64String(TokenProxy.Admin.AdminLogin.CookieValue(AdminToken)), "/admin"));
        var authorize = await browser.StartAsync("/admin/connect/acme");
        // The way back from the provider carries no admin cookie (SameSite=Strict): only the state and the browser cookie.
        browser.Cookies.Add(scenario.Proxy.Address, new Cookie(TokenProxy.Admin.AdminLogin.CookieName, "expired", "/admin"));

        using var callback = await browser.CallbackAsync("acme", ("code", "c"), ("state", authorize["state"]));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
    }
}
