using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenProxy.Admin;
using TokenProxy.OAuth;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Portal;

/// <summary>
/// The client portal (docs/architecture.md §9), run against each store (SQLite, PostgreSQL): portal links and sessions,
/// what a session shows (its workspace's connect-request connections only), the 404 for everything else, expiry, ending
/// and rotation, the separation from admin access, CSRF, and refresh and revoke through the admin services.
/// </summary>
public abstract class PortalTests : IAsyncLifetime
{
    private PortalScenario _portal = null!;

    private protected PortalScenario Portal => _portal;

    public async Task InitializeAsync()
    {
        _portal = await PortalScenario.StartAsync(await StoreSettingsAsync(), Configure);
        await _portal.CreateWorkspaceAsync("acme");
        await _portal.CreateWorkspaceAsync("globex");
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await TearDownAsync();
    }

    /// <summary>The settings that put the proxy on the store under test.</summary>
    private protected abstract Task<Dictionary<string, string?>> StoreSettingsAsync();

    private protected abstract Task TearDownAsync();

    private protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    [Fact]
    public async Task A_portal_link_opens_a_session_that_lists_only_its_workspaces_connect_request_connections()
    {
        var mine = await Portal.InsertAsync("acme", "mine-label");
        var imported = await Portal.InsertAsync("acme", "operator-label", ConnectionOrigin.Operator);
        var theirs = await Portal.InsertAsync("globex", "theirs-label");
        var nowhere = await Portal.InsertAsync(null, "nowhere-label");
        var link = await Portal.LinkAsync("acme");

        var (entered, cookie) = await Portal.OpenAsync(link);
        using var list = await Portal.GetAsync("/portal/connections", cookie);
        var page = await list.Content.ReadAsStringAsync();

        Assert.StartsWith($"{Portal.Service<IOptions<PublicUrlOptions>>().Value.PublicBaseUrl.TrimEnd('/')}/portal/enter/", link, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, entered.StatusCode);
        Assert.Equal("/portal/connections", entered.Headers.Location?.OriginalString);
        var setCookie = entered.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tokenproxy_portal=", StringComparison.Ordinal));
        Assert.Contains("path=/portal", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        // Relative to the browser's clock: the fake clock here is months behind the machine's, as a skewed server would be.
        Assert.Contains("max-age=43200", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires=", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains(mine, page, StringComparison.Ordinal);
        Assert.Contains("mine-label", page, StringComparison.Ordinal);
        Assert.Contains(">Manage<", page, StringComparison.Ordinal);
        foreach (var hidden in new[] { imported, "operator-label", theirs, "theirs-label", nowhere, "nowhere-label", "globex" })
        {
            Assert.DoesNotContain(hidden, page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_workspace_with_no_connections_of_its_own_shows_the_empty_state()
    {
        await Portal.InsertAsync("acme", "operator-label", ConnectionOrigin.Operator);
        var cookie = await Portal.EnterAsync("acme");

        var page = await (await Portal.GetAsync("/portal/connections", cookie)).Content.ReadAsStringAsync();

        Assert.Contains("No connections yet", page, StringComparison.Ordinal);
        Assert.Contains("When your team asks you to connect an app, it will show up here.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("operator-label", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_whose_access_lapses_within_the_warning_says_so_on_the_portals_list_and_its_page()
    {
        var lapse = Portal.Clock.GetUtcNow() + TimeSpan.FromDays(2);
        var lapsing = await Portal.InsertAsync("acme", "lapsing", refreshTokenExpiresAt: lapse);
        var lasting = await Portal.InsertAsync("acme", "lasting", refreshTokenExpiresAt: lapse + TimeSpan.FromDays(60));
        var cookie = await Portal.EnterAsync("acme");

        var list = await (await Portal.GetAsync("/portal/connections", cookie)).Content.ReadAsStringAsync();
        var warned = await (await Portal.GetAsync($"/portal/connections/{lapsing}", cookie)).Content.ReadAsStringAsync();
        var quiet = await (await Portal.GetAsync($"/portal/connections/{lasting}", cookie)).Content.ReadAsStringAsync();

        var text = $"Access lapses on {lapse.UtcDateTime:yyyy-MM-dd HH:mm} UTC: reconnect before then.";
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(list, System.Text.RegularExpressions.Regex.Escape(text)));
        Assert.Contains(text, warned, StringComparison.Ordinal);
        Assert.DoesNotContain("Access lapses", quiet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Statuses_are_described_in_the_portals_words()
    {
        await Portal.InsertAsync("acme", "broken", status: ConnectionStatus.Error);
        await Portal.InsertAsync("acme", "waiting", status: ConnectionStatus.Pending);
        await Portal.InsertAsync("acme", "gone", status: ConnectionStatus.Revoked, refreshToken: null);
        var cookie = await Portal.EnterAsync("acme");

        var page = await (await Portal.GetAsync("/portal/connections", cookie)).Content.ReadAsStringAsync();

        Assert.Contains("Reconnection needed.", page, StringComparison.Ordinal);
        Assert.Contains("Waiting for the first sync.", page, StringComparison.Ordinal);
        Assert.Contains("This connection was revoked. Reconnect to keep workflows running.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_workspaces_connection_an_operators_connection_and_a_guessed_id_answer_the_same_404()
    {
        var theirs = await Portal.InsertAsync("globex", "theirs-label");
        var operators = await Portal.InsertAsync("acme", "operator-label", ConnectionOrigin.Operator);
        var cookie = await Portal.EnterAsync("acme");

        var bodies = new List<string>();
        foreach (var id in new[] { theirs, operators, ConnectionIds.New(), "conn_" })
        {
            using var page = await Portal.GetAsync($"/portal/connections/{Uri.EscapeDataString(id)}", cookie);
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            bodies.Add((await page.Content.ReadAsStringAsync()).Replace(id, "ID", StringComparison.Ordinal));
            foreach (var action in new[] { "refresh", "revoke" })
            {
                using var changed = await Portal.PostAsync($"/portal/connections/{Uri.EscapeDataString(id)}/{action}", cookie);
                await Problems.AssertProblemAsync(changed, HttpStatusCode.NotFound, "not_found");
            }
        }

        Assert.Single(bodies.Distinct());
        Assert.DoesNotContain("theirs-label", bodies[0], StringComparison.Ordinal);
        Assert.Equal("active", (await Portal.ConnectionAsync(theirs)).GetProperty("status").GetString());
        Assert.Equal("active", (await Portal.ConnectionAsync(operators)).GetProperty("status").GetString());
        Assert.Equal(0, Portal.Authorization.Calls);
        Assert.Empty(Portal.Authorization.Revocations);
    }

    [Fact]
    public async Task A_portal_cookie_replayed_for_another_workspaces_ids_finds_nothing()
    {
        var mine = await Portal.InsertAsync("acme", "mine-label");
        var theirs = await Portal.InsertAsync("globex", "theirs-label");
        var acme = await Portal.EnterAsync("acme");
        var globex = await Portal.EnterAsync("globex");

        using var acmeOnTheirs = await Portal.GetAsync($"/portal/connections/{theirs}", acme);
        using var globexOnMine = await Portal.GetAsync($"/portal/connections/{mine}", globex);
        using var revokeTheirs = await Portal.PostAsync($"/portal/connections/{theirs}/revoke", acme);
        using var own = await Portal.GetAsync($"/portal/connections/{theirs}", globex);

        Assert.Equal(HttpStatusCode.NotFound, acmeOnTheirs.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, globexOnMine.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, revokeTheirs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("active", (await Portal.ConnectionAsync(theirs)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_session_idle_past_its_timeout_is_refused_with_a_page_asking_for_the_link_again()
    {
        var cookie = await Portal.EnterAsync("acme");
        using var fresh = await Portal.GetAsync("/portal/connections", cookie);

        Portal.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        using var idle = await Portal.GetAsync("/portal/connections", cookie);
        var page = await idle.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, idle.StatusCode);
        Assert.Null(idle.Headers.Location);
        Assert.Contains("Open the link your agency sent you again", page, StringComparison.Ordinal);
        Assert.DoesNotContain("\"/admin", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_in_use_still_ends_at_its_absolute_lifetime()
    {
        var cookie = await Portal.EnterAsync("acme");
        var ages = new List<HttpStatusCode>();
        // Used every 50 minutes, it never idles out; each use may rotate the value, so the newest one is sent.
        for (var minutes = 50; minutes <= 12 * 60 + 40; minutes += 50)
        {
            Portal.Clock.Advance(TimeSpan.FromMinutes(50));
            using var response = await Portal.GetAsync("/portal/connections", cookie);
            cookie = PortalScenario.CookieOf(response) ?? cookie;
            ages.Add(response.StatusCode);
        }

        Assert.All(ages.Take(14), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.Unauthorized, ages[^1]);
    }

    [Fact]
    public async Task The_operator_ends_a_workspaces_sessions_and_links_and_no_other()
    {
        var link = await Portal.LinkAsync("acme");
        var acme = await Portal.EnterAsync("acme");
        var globex = await Portal.EnterAsync("globex");

        using var ended = await Portal.Admin.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/workspaces/acme/portal-sessions"));
        var body = await ended.Content.ReadFromJsonAsync<JsonElement>();
        using var refused = await Portal.GetAsync("/portal/connections", acme);
        var (reopened, reopenedCookie) = await Portal.OpenAsync(link);
        using var other = await Portal.GetAsync("/portal/connections", globex);
        using var unknown = await Portal.Admin.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/workspaces/nobody/portal-sessions"));

        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal(1, body.GetProperty("sessionsEnded").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, reopened.StatusCode);
        Assert.Null(reopenedCookie);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        await Problems.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "workspace_not_found");
    }

    [Fact]
    public async Task Deleting_a_workspace_ends_its_sessions_and_links_also_when_it_is_created_again()
    {
        var link = await Portal.LinkAsync("acme");
        var cookie = await Portal.EnterAsync("acme");

        using var deleted = await Portal.Admin.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/workspaces/acme"));
        await Portal.CreateWorkspaceAsync("acme");
        using var refused = await Portal.GetAsync("/portal/connections", cookie);
        var (reopened, reopenedCookie) = await Portal.OpenAsync(link);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, reopened.StatusCode);
        Assert.Null(reopenedCookie);
    }

    [Fact]
    public async Task A_rotated_out_cookie_stops_working_after_its_grace_period()
    {
        var first = await Portal.EnterAsync("acme");
        using var early = await Portal.GetAsync("/portal/connections", first);

        Portal.Clock.Advance(TimeSpan.FromMinutes(6));
        using var rotating = await Portal.GetAsync("/portal/connections", first);
        var second = PortalScenario.CookieOf(rotating);
        Portal.Clock.Advance(TimeSpan.FromSeconds(30));
        using var raced = await Portal.GetAsync("/portal/connections", first);
        Portal.Clock.Advance(TimeSpan.FromSeconds(31));
        using var replayed = await Portal.GetAsync("/portal/connections", first);
        using var current = await Portal.GetAsync("/portal/connections", second);

        Assert.Null(PortalScenario.CookieOf(early));
        Assert.Equal(HttpStatusCode.OK, rotating.StatusCode);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.OK, raced.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task Admin_access_does_not_open_the_portal_and_a_portal_cookie_does_not_open_admin()
    {
        var mine = await Portal.InsertAsync("acme", "mine-label");
        var cookie = await Portal.EnterAsync("acme");
        var adminCookie = Convert.ToBase64String(AdminLogin.CookieValue(PortalScenario.AdminToken));

        using var withBearer = new HttpRequestMessage(HttpMethod.Get, "/portal/connections");
        withBearer.Headers.Authorization = new("Bearer", PortalScenario.AdminToken);
        using var bearerOnPortal = await Portal.Browser.SendAsync(withBearer);
        using var withAdminCookie = new HttpRequestMessage(HttpMethod.Get, $"/portal/connections/{mine}");
        withAdminCookie.Headers.Add("Cookie", $"{AdminLogin.CookieName}={adminCookie}");
        using var adminCookieOnPortal = await Portal.Browser.SendAsync(withAdminCookie);
        using var apiRequest = PortalScenario.Request(HttpMethod.Get, "/admin/api/connections", cookie, csrf: false);
        apiRequest.Headers.Accept.Clear();
        using var portalOnAdminApi = await Portal.Browser.SendAsync(apiRequest);
        using var portalRevokesOnAdmin = await Portal.Browser.SendAsync(PortalScenario.Request(HttpMethod.Post, $"/admin/api/connections/{mine}/revoke", cookie, csrf: true));
        using var portalOnAdminPage = await Portal.Browser.SendAsync(PortalScenario.Request(HttpMethod.Get, "/admin/connections", cookie, csrf: false));
        using var portalMintsLinks = await Portal.Browser.SendAsync(PortalScenario.Request(HttpMethod.Post, "/admin/api/workspaces/acme/portal-links", cookie, csrf: true));

        Assert.Equal(HttpStatusCode.Unauthorized, bearerOnPortal.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, adminCookieOnPortal.StatusCode);
        Assert.DoesNotContain("mine-label", await adminCookieOnPortal.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, portalOnAdminApi.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, portalRevokesOnAdmin.StatusCode);
        Assert.Equal("/admin/login", portalOnAdminPage.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, portalMintsLinks.StatusCode);
        Assert.Equal("active", (await Portal.ConnectionAsync(mine)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_cross_site_form_post_without_the_csrf_header_changes_nothing()
    {
        var mine = await Portal.InsertAsync("acme", "mine-label");
        var cookie = await Portal.EnterAsync("acme");

        foreach (var action in new[] { "revoke", "refresh" })
        {
            using var request = PortalScenario.Request(HttpMethod.Post, $"/portal/connections/{mine}/{action}", cookie, csrf: false);
            request.Headers.Add("Origin", "https://evil.example");
            request.Headers.Add("Sec-Fetch-Site", "cross-site");
            request.Content = new FormUrlEncodedContent([]);
            using var response = await Portal.Browser.SendAsync(request);
            await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "csrf_required");
        }

        Assert.Equal("active", (await Portal.ConnectionAsync(mine)).GetProperty("status").GetString());
        Assert.Equal(0, Portal.Authorization.Calls);
        Assert.Empty(Portal.Authorization.Revocations);
    }

    [Fact]
    public async Task Refresh_and_revoke_from_the_portal_run_through_the_proxys_services()
    {
        var mine = await Portal.InsertAsync("acme", "mine-label");
        var cookie = await Portal.EnterAsync("acme");

        using var refreshed = await Portal.PostAsync($"/portal/connections/{mine}/refresh", cookie);
        var afterRefresh = await Portal.ConnectionAsync(mine);
        using var revoked = await Portal.PostAsync($"/portal/connections/{mine}/revoke", cookie);
        using var again = await Portal.PostAsync($"/portal/connections/{mine}/revoke", cookie);
        var detail = await (await Portal.GetAsync($"/portal/connections/{mine}", cookie)).Content.ReadAsStringAsync();
        var told = (await Portal.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/events?connection={mine}")).GetProperty("items").EnumerateArray()
            .Select(e => (e.GetProperty("type").GetString(), e.GetProperty("actor").GetString())).ToList();

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal("Connection refreshed.", (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        Assert.Equal(1, Portal.Authorization.Calls);
        Assert.Equal("refresh-0", Portal.Authorization.Forms.Single()["refresh_token"]);
        Assert.Equal(JsonValueKind.String, afterRefresh.GetProperty("lastRefreshedAt").ValueKind);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("Connection revoked.", (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        Assert.Equal("revoked", (await Portal.ConnectionAsync(mine)).GetProperty("status").GetString());
        await Problems.AssertProblemAsync(again, HttpStatusCode.Conflict, "already_revoked");
        Assert.DoesNotContain("data-action=\"revoke\"", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("data-action=\"refresh\"", detail, StringComparison.Ordinal);
        // The event log names the portal as the one who refreshed and revoked (newest first).
        Assert.Equal([("connection.revoked", "portal"), ("connection.refreshed", "portal")], told);
    }

    [Fact]
    public async Task A_failed_refresh_answers_the_portals_words_and_a_connection_that_cannot_refresh_says_whom_to_contact()
    {
        var mine = await Portal.InsertAsync("acme", "mine-label");
        var stuck = await Portal.InsertAsync("acme", "stuck-label", refreshToken: null);
        var cookie = await Portal.EnterAsync("acme");
        Portal.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant" });

        using var failed = await Portal.PostAsync($"/portal/connections/{mine}/refresh", cookie);
        using var refused = await Portal.PostAsync($"/portal/connections/{stuck}/refresh", cookie);
        var stuckPage = await (await Portal.GetAsync($"/portal/connections/{stuck}", cookie)).Content.ReadAsStringAsync();
        var minePage = await (await Portal.GetAsync($"/portal/connections/{mine}", cookie)).Content.ReadAsStringAsync();

        var problem = await Problems.AssertProblemAsync(failed, HttpStatusCode.BadGateway, "refresh_failed");
        Assert.Equal("Failed to refresh connection", problem.GetProperty("title").GetString());
        Assert.Equal("You may need to reconnect.", problem.GetProperty("detail").GetString());
        await Problems.AssertProblemAsync(refused, HttpStatusCode.Conflict, "not_refreshable");
        Assert.Contains("Contact your agency if this integration needs to be reconnected.", stuckPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Refresh credential", stuckPage, StringComparison.Ordinal);
        Assert.Contains("stuck-label@client.example", stuckPage, StringComparison.Ordinal);
        Assert.Contains("Last refreshed", stuckPage, StringComparison.Ordinal);
        Assert.Contains("Reconnection needed.", minePage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_truncated_and_expired_portal_links_open_nothing()
    {
        var link = await Portal.LinkAsync("acme", expiresIn: 60);
        var token = link[(link.LastIndexOf('/') + 1)..];
        var forged = new[]
        {
            token[..^1],
            token[..20],
            token + "A",
            (token[0] == 'A' ? 'B' : 'A') + token[1..],
            new string('A', token.Length),
            token.ToUpperInvariant(),
            Uri.EscapeDataString(token + "\u00e9"),
        };

        foreach (var attempt in forged)
        {
            var (response, cookie) = await Portal.OpenAsync($"{Portal.Proxy.Address}portal/enter/{attempt}");
            using (response)
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Null(cookie);
                Assert.DoesNotContain(token, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        var (works, workingCookie) = await Portal.OpenAsync(link);
        Portal.Clock.Advance(TimeSpan.FromSeconds(61));
        var (expired, expiredCookie) = await Portal.OpenAsync(link);

        Assert.Equal(HttpStatusCode.SeeOther, works.StatusCode);
        Assert.NotNull(workingCookie);
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        Assert.Null(expiredCookie);
    }

    [Fact]
    public async Task A_link_works_until_it_expires_so_a_second_device_or_a_link_scanner_does_not_use_it_up()
    {
        var link = await Portal.LinkAsync("acme");

        var (first, firstCookie) = await Portal.OpenAsync(link);
        var (second, secondCookie) = await Portal.OpenAsync(link);

        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, second.StatusCode);
        Assert.NotEqual(firstCookie, secondCookie);
    }

    [Fact]
    public async Task Portal_link_lifetimes_are_bounded_like_connect_requests()
    {
        var now = Portal.Clock.GetUtcNow();
        async Task<HttpResponseMessage> MintAsync(string workspace, HttpContent? body, bool csrf = true)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/api/workspaces/{workspace}/portal-links") { Content = body };
            if (csrf)
            {
                request.Headers.Add("TokenProxy-Csrf", "1");
            }

            return await Portal.Admin.SendAsync(request);
        }

        using var byDefault = await MintAsync("acme", null);
        using var longest = await MintAsync("acme", JsonContent.Create(new { expiresIn = 2_592_000 }));
        using var shortest = await MintAsync("acme", JsonContent.Create(new { expiresIn = 1 }));
        foreach (var invalid in new object[] { new { expiresIn = 0 }, new { expiresIn = 2_592_001 }, new { expiresIn = "3600" }, new { expiresIn = 1.5 } })
        {
            using var refused = await MintAsync("acme", JsonContent.Create(invalid));
            await Problems.AssertProblemAsync(refused, HttpStatusCode.BadRequest, "invalid_request");
        }

        using var misspelt = await MintAsync("acme", JsonContent.Create(new { expires_in = 60 }));
        using var caseAside = await MintAsync("acme", JsonContent.Create(new { expiresin = 60 }));
        using var twice = await MintAsync("acme", new StringContent("""{"expiresIn":60,"ExpiresIn":70}""", System.Text.Encoding.UTF8, "application/json"));
        using var malformed = await MintAsync("acme", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        using var unknown = await MintAsync("nobody", null);
        using var noCsrf = await MintAsync("acme", null, csrf: false);

        Assert.Equal(HttpStatusCode.Created, byDefault.StatusCode);
        Assert.Equal(now.AddDays(7), (await byDefault.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(now.AddDays(30), (await longest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.Created, shortest.StatusCode);
        var unread = await Problems.AssertProblemAsync(misspelt, HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(
            "expires_in: not a field of a portal link (did you mean expiresIn?)", unread.GetProperty("errors").GetProperty("expires_in")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(now.AddSeconds(60), (await caseAside.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").GetDateTimeOffset());
        await Problems.AssertProblemAsync(twice, HttpStatusCode.BadRequest, "invalid_json");
        await Problems.AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "invalid_json");
        await Problems.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "workspace_not_found");
        await Problems.AssertProblemAsync(noCsrf, HttpStatusCode.Forbidden, "csrf_required");
    }

    [Fact]
    public async Task Outstanding_requests_of_another_workspace_or_guessed_are_not_found_and_none_is_listed_without_connect_requests()
    {
        var cookie = await Portal.EnterAsync("acme");

        using var connect = await Portal.PostAsync("/portal/requests/creq_guessed/connect", cookie);
        using var noCsrf = await Portal.PostAsync("/portal/requests/creq_guessed/connect", cookie, csrf: false);
        var page = await (await Portal.GetAsync("/portal/connections", cookie)).Content.ReadAsStringAsync();

        await Problems.AssertProblemAsync(connect, HttpStatusCode.NotFound, "not_found");
        await Problems.AssertProblemAsync(noCsrf, HttpStatusCode.Forbidden, "csrf_required");
        Assert.DoesNotContain("Outstanding connection requests", page, StringComparison.Ordinal);
    }
}
