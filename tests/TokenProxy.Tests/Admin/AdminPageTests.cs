using System.Net;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Admin;

/// <summary>The admin pages as the server sends them: every value encoded, the same strict headers on every page.</summary>
public sealed class AdminPageTests
{
    /// <summary>Markup, both quote kinds and a newline: whatever of it reaches a page raw can open an element or an attribute.</summary>
    private const string Hostile = "<script>alert(\"x\")</script>\n'quoted'";

    [Fact]
    public async Task Hostile_label_provider_name_account_and_error_description_render_as_text_on_the_list_and_the_connection_page()
    {
        await using var scenario = await RefreshScenario.StartAsync(s => s["TokenProxy:Providers:acme:DisplayName"] = $"Acme {Hostile.Replace('\n', ' ')}");
        // (A display name is one line: the newline is left out of it, startup would refuse it.)
        var failed = await scenario.ImportAsync(label: "work");
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant", error_description = Hostile });
        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{failed}/refresh"));
        // The admin API refuses such a label; a row written by an older version or by hand into the database can still hold one.
        var now = DateTimeOffset.UtcNow;
        var labelled = new ConnectionRow
        {
            Id = ConnectionIds.New(), Provider = "acme", Label = Hostile, Status = ConnectionStatus.Active,
            Account = new ConnectionAccount(null, null, Hostile), CreatedAt = now, UpdatedAt = now,
        };
        Assert.True(await scenario.Proxy.Services.GetRequiredService<IConnectionStore>().TryInsertAsync(labelled, CancellationToken.None));

        var list = await scenario.Proxy.Client.GetStringAsync("/admin/connections");
        var failedPage = await scenario.Proxy.Client.GetStringAsync($"/admin/connections/{failed}");
        var labelledPage = await scenario.Proxy.Client.GetStringAsync($"/admin/connections/{labelled.Id}");

        Assert.Equal(HttpStatusCode.BadGateway, refresh.StatusCode);
        foreach (var html in new[] { list, failedPage, labelledPage })
        {
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("\"x\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("'quoted'", html, StringComparison.Ordinal);
        }

        // The label, the account and the error description as they were (a newline included); the provider's name on one line.
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#xA;&#x27;quoted&#x27;", list, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#xA;&#x27;quoted&#x27;", labelledPage, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#x27;quoted&#x27;", failedPage, StringComparison.Ordinal);

        // Each place a value is written: on the list, the provider name among the providers, in two rows and two link
        // names, the label in its cell and its link name, the description in the events; on the connection pages, the
        // provider name in the title, heading and dialog, then the error and the error in its history, or the label (title,
        // heading) and the account.
        Assert.Equal(8, Count(list, "&lt;script&gt;alert"));
        Assert.Equal(5, Count(failedPage, "&lt;script&gt;alert"));
        Assert.Equal(6, Count(labelledPage, "&lt;script&gt;alert"));
    }

    [Fact]
    public async Task A_browser_asking_for_the_icon_gets_the_pages_own_not_a_problem_from_the_data_plane()
    {
        await using var proxy = await ProxyHost.StartAsync();
        using var browser = new HttpClient { BaseAddress = proxy.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/favicon.ico");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        request.Headers.Add("Sec-Fetch-Dest", "image");

        using var favicon = await browser.SendAsync(request);
        using var portalIcon = await browser.GetAsync("/portal/assets/icon.svg");
        var page = await proxy.Client.GetStringAsync("/admin/connections");

        Assert.Equal(HttpStatusCode.OK, favicon.StatusCode);
        Assert.Equal("image/svg+xml", favicon.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("<svg", await favicon.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, portalIcon.StatusCode);
        Assert.Contains("<link rel=\"icon\" href=\"/admin/assets/icon.svg\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_is_sent_uncached_without_referrer_and_with_the_strict_content_security_policy()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync(label: "work");

        foreach (var path in new[] { "/admin/connections", $"/admin/connections/{id}", "/admin/connections/conn_missing", "/admin/login", "/admin/connect/nope", "/admin/providers", "/admin/providers/acme/import" })
        {
            using var response = await scenario.Proxy.Client.GetAsync(path);

            Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            // A connection's page may send its "Reconnect with scopes" form on to the provider's authorization endpoint, and only there.
            var formAction = path == $"/admin/connections/{id}" ? $"'self' {scenario.Authorization.Address.GetLeftPart(UriPartial.Authority)}" : "'self'";
            Assert.Equal(
                $"default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action {formAction}; frame-ancestors 'none'; base-uri 'none'",
                response.Headers.GetValues("Content-Security-Policy").Single());
            var html = await response.Content.ReadAsStringAsync();
            Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
            // Static rendering only: no Blazor script, no component markers for a circuit to pick up.
            Assert.DoesNotContain("blazor", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<!--Blazor", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Rendering_pages_keeps_no_data_protection_keys_in_the_user_profile()
    {
        await using var proxy = await ProxyHost.StartAsync();

        using var page = await proxy.Client.GetAsync("/admin/connections");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        // The XML key manager is what keeps keys in ~/.aspnet/DataProtection-Keys (and, at startup, makes one there).
        Assert.DoesNotContain("DataProtection.KeyManagement", proxy.Logs.All, StringComparison.Ordinal);
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;
}
