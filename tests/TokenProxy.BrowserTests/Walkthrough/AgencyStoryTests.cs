using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TokenProxy.BrowserTests.Walkthrough;

/// <summary>
/// The agency story end to end, on each store, in a real Chromium against the real oidc-provider, with the proxy set up
/// as a server (<c>Admin:Token</c>, <c>PublicBaseUrl</c>): the operator asks two client companies to connect; each client
/// connects from its link without admin access, lands in its own portal, sees only its own connections, refreshes and
/// revokes; used, cancelled and expired links connect nothing; a portal link shows the requests still waiting; the event
/// log says the client did it. Every page is saved as a screenshot under the test output (README, "Run and test").
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed partial class AgencyStoryTests(BrowserFixture browser, PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private const string AdminToken = "agency-story-admin-token-0123456789";
    private const string RevokeWording =
        "Workflows that depend on this credential will pause until you (or another team member) reconnect it. You can reconnect at any time from this page or from a future request email.";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Two_clients_connect_from_their_links_and_each_manages_only_its_own_connections_in_the_portal(string store)
    {
        var watch = Stopwatch.StartNew();
        var shots = Directory.CreateDirectory(Path.Combine(BrowserFixture.Artifacts, "agency-story", store)).FullName;
        foreach (var old in Directory.GetFiles(shots, "*.png"))
        {
            File.Delete(old);
        }

        var shot = 0;
        async Task ScreenshotAsync(IPage page, string name) =>
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"{++shot:00}-{name}.png"), Type = ScreenshotType.Png });

        var keyDirectory = ProxyHost.NewDataDirectory();
        var database = store == "postgres" ? await postgres.CreateDatabaseAsync() : null;
        try
        {
            var port = ProxyHost.FreePort();
            var publicBase = $"http://127.0.0.1:{port}";
            await using var oidc = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc", accessTokenSeconds: 3600);
            var settings = oidc.Provider("oidc");
            settings["Urls"] = publicBase;
            settings["TokenProxy:PublicBaseUrl"] = publicBase;
            settings["TokenProxy:Admin:Token"] = AdminToken;
            settings["TokenProxy:Providers:oidc:DisplayName"] = "Example CRM";
            // Every browser of this story comes from 127.0.0.1, so they share one client address's budget; real clients each have their own.
            settings["TokenProxy:Portal:PermitsPerMinute"] = "1000";
            if (database is not null)
            {
                // A shared store never generates its key: every instance is given the same one.
                var keyFile = ProxyHost.KeyFileFor(keyDirectory);
                VaultInitializer.WriteKeyFile(keyFile, VaultKey.Generate());
                settings["TokenProxy:Store:Kind"] = "Postgres";
                settings["TokenProxy:Store:ConnectionString"] = database.ConnectionString;
                settings["TokenProxy:Vault:KeyFile"] = keyFile;
            }

            await using var proxy = await ProxyHost.StartAsync(settings);
            using var admin = new HttpClient { BaseAddress = new Uri(publicBase) };
            admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
            admin.DefaultRequestHeaders.Add("TokenProxy-Csrf", "1");
            var steps = new List<string>();
            void Step(string name) => steps.Add($"{name}: {watch.Elapsed.TotalSeconds:0.0} s");

            // 1. The operator: two client companies, and a connect request for each.
            await CreateWorkspaceAsync(admin, "acme-co", "Acme Co");
            await CreateWorkspaceAsync(admin, "globex", "Globex Corporation");
            var acmeRequest = await CreateRequestAsync(admin, new
            {
                workspace = "acme-co",
                provider = "oidc",
                label = "reports",
                scopes = new[] { "openid", "email", "api:read" },
                endUser = new { id = "erin", displayName = "Erin Doe", email = "erin@acme.example" },
                message = "Hi Erin, please connect the CRM for the Q3 reports.",
            });
            var globexRequest = await CreateRequestAsync(admin, new { workspace = "globex", provider = "oidc", label = "ledger", message = "Globex: connect your books." });
            Assert.Equal("outstanding", acmeRequest.GetProperty("status").GetString());
            Assert.StartsWith($"{publicBase}/connect/", acmeRequest.GetProperty("url").GetString(), StringComparison.Ordinal);
            Step("1 operator set-up");

            // 2. Acme's person opens the link in a browser that has no admin access, and connects.
            await using var acme = await NewContextAsync();
            var acmePage = await acme.NewPageAsync();
            var opened = await acmePage.GotoAsync(Url(acmeRequest));
            Assert.Equal(200, opened!.Status);
            await Expect(acmePage.GetByRole(AriaRole.Heading, new() { Name = "Connect Example CRM" })).ToBeVisibleAsync();
            await Expect(acmePage.GetByText("Acme Co", new() { Exact = true })).ToBeVisibleAsync();
            await Expect(acmePage.Locator(".link-message")).ToHaveTextAsync("Hi Erin, please connect the CRM for the Q3 reports.");
            await Expect(acmePage.Locator("ul.scopes li")).ToHaveTextAsync(["openid", "email", "api:read"]);
            await Expect(acmePage.GetByRole(AriaRole.Link, new() { Name = "Connections" })).ToHaveCountAsync(0);
            await ScreenshotAsync(acmePage, "link-page");
            await acmePage.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
            await SignInAtProviderAsync(acmePage, "erin", ScreenshotAsync);

            await acmePage.WaitForURLAsync(PortalConnectionAddress());
            var acmeConnectionId = PortalConnectionAddress().Match(acmePage.Url).Groups[1].Value;
            await Expect(acmePage.Locator("#connection-title")).ToContainTextAsync("Example CRM");
            await Expect(acmePage.Locator(".facts")).ToContainTextAsync("erin@example.com");
            await Expect(acmePage.Locator(".status")).ToContainTextAsync("active");
            await ScreenshotAsync(acmePage, "portal-new-connection");
            Step("2 acme connects from its link");

            // 3. The connection is acme's, for its end user, from the request; the request is used up.
            var acmeConnection = await admin.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{acmeConnectionId}");
            Assert.Equal("acme-co", acmeConnection.GetProperty("workspace").GetString());
            Assert.Equal("erin", acmeConnection.GetProperty("endUser").GetProperty("id").GetString());
            Assert.Equal("connect_request", acmeConnection.GetProperty("origin").GetString());
            Assert.Equal("reports", acmeConnection.GetProperty("label").GetString());
            Assert.Equal("active", acmeConnection.GetProperty("status").GetString());
            var acmeRequestNow = await RequestAsync(admin, acmeRequest);
            Assert.Equal("completed", acmeRequestNow.GetProperty("status").GetString());
            Assert.Equal(acmeConnectionId, acmeRequestNow.GetProperty("resultConnection").GetString());

            // Globex's person connects through Globex's own link, in another browser.
            await using var globex = await NewContextAsync();
            var globexPage = await globex.NewPageAsync();
            await globexPage.GotoAsync(Url(globexRequest));
            await Expect(globexPage.GetByText("Globex Corporation", new() { Exact = true })).ToBeVisibleAsync();
            await globexPage.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
            await SignInAtProviderAsync(globexPage, "gail", screenshot: null);
            await globexPage.WaitForURLAsync(PortalConnectionAddress());
            var globexConnectionId = PortalConnectionAddress().Match(globexPage.Url).Groups[1].Value;
            Assert.Equal("globex", (await admin.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{globexConnectionId}")).GetProperty("workspace").GetString());

            // Acme's portal lists acme's connection and nothing of Globex's.
            await acmePage.GetByRole(AriaRole.Link, new() { Name = "← All connections" }).ClickAsync();
            await acmePage.WaitForURLAsync(new Regex("/portal/connections$"));
            var acmeRows = acmePage.Locator("section[aria-labelledby=connections-title] tbody tr");
            await Expect(acmeRows).ToHaveCountAsync(1);
            await Expect(acmeRows).ToHaveAttributeAsync("data-connection", acmeConnectionId);
            await Expect(acmeRows).ToContainTextAsync("reports");
            await Expect(acmeRows).ToContainTextAsync("active");
            await Expect(acmePage.GetByText("ledger")).ToHaveCountAsync(0);
            await Expect(acmePage.GetByText("Globex")).ToHaveCountAsync(0);
            await ScreenshotAsync(acmePage, "portal-list");
            var foreign = await acmePage.GotoAsync($"{publicBase}/portal/connections/{globexConnectionId}");
            Assert.Equal(404, foreign!.Status);
            Assert.DoesNotContain("gail@example.com", await acmePage.ContentAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain("ledger", await acmePage.ContentAsync(), StringComparison.Ordinal);
            await ScreenshotAsync(acmePage, "portal-other-workspace-404");
            var reverse = await globexPage.GotoAsync($"{publicBase}/portal/connections/{acmeConnectionId}");
            Assert.Equal(404, reverse!.Status);
            Step("3 workspaces kept apart");

            // 4. Acme's person refreshes, then revokes, from the connection's page.
            var before = await oidc.StatsAsync();
            await acmePage.GotoAsync($"{publicBase}/portal/connections/{acmeConnectionId}");
            await Expect(acmePage.Locator(".facts")).ToContainTextAsync("Last refreshed");
            await acmePage.GetByRole(AriaRole.Button, new() { Name = "Refresh credential" }).ClickAsync();
            await Expect(acmePage.GetByRole(AriaRole.Status)).ToHaveTextAsync("Connection refreshed.");
            Assert.Equal(Count(before, "refresh_token") + 1, Count(await oidc.StatsAsync(), "refresh_token"));
            await ScreenshotAsync(acmePage, "portal-refreshed");

            await acmePage.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
            var dialog = acmePage.GetByRole(AriaRole.Dialog);
            await Expect(dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Revoke this connection?");
            await Expect(dialog.Locator("#revoke-text")).ToHaveTextAsync(RevokeWording);
            await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Keep connection" })).ToBeVisibleAsync();
            await ScreenshotAsync(acmePage, "portal-revoke-dialog");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke connection" }).ClickAsync();
            await Expect(acmePage.GetByRole(AriaRole.Status)).ToContainTextAsync("Connection revoked.");
            await Expect(acmePage.GetByRole(AriaRole.Status)).ToContainTextAsync("Workflows using this connection will pause until reconnected.");
            await Expect(acmePage.Locator(".status")).ToContainTextAsync("revoked");
            await Expect(acmePage.Locator(".status")).ToContainTextAsync("This connection was revoked. Reconnect to keep workflows running.");
            await Expect(acmePage.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true })).ToHaveCountAsync(0);
            await ScreenshotAsync(acmePage, "portal-revoked");
            Assert.Equal("revoked", (await admin.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{acmeConnectionId}")).GetProperty("status").GetString());
            Assert.True(Count(await oidc.StatsAsync(), "revocation") > Count(before, "revocation"), "The revoke did not reach the provider's revocation endpoint.");
            Step("4 refresh and revoke from the portal");

            // 5. A used, a cancelled and an expired link each answer 410 and connect nothing.
            var exchangesBefore = Count(await oidc.StatsAsync(), "authorization_code");
            var connectionsBefore = await CountConnectionsAsync(admin, "acme-co");

            var reused = await acmePage.GotoAsync(Url(acmeRequest));
            Assert.Equal(410, reused!.Status);
            await Expect(acmePage.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(new Regex("used", RegexOptions.IgnoreCase));
            await Expect(acmePage.GetByRole(AriaRole.Button, new() { Name = "Connect" })).ToHaveCountAsync(0);
            await ScreenshotAsync(acmePage, "link-used-410");

            // Cancelled while the person has the link's page open: pressing Connect then is refused.
            var cancelledRequest = await CreateRequestAsync(admin, new { workspace = "acme-co", provider = "oidc", label = "later", message = "Connect later." });
            await using var late = await NewContextAsync();
            var latePage = await late.NewPageAsync();
            await latePage.GotoAsync(Url(cancelledRequest));
            await Expect(latePage.GetByRole(AriaRole.Button, new() { Name = "Connect" })).ToBeVisibleAsync();
            using (var cancel = await admin.DeleteAsync($"/admin/api/connect-requests/{Id(cancelledRequest)}"))
            {
                Assert.True(cancel.IsSuccessStatusCode, $"Cancel answered {(int)cancel.StatusCode}.");
            }

            Assert.Equal("cancelled", (await RequestAsync(admin, cancelledRequest)).GetProperty("status").GetString());
            var refusedPost = await latePage.RunAndWaitForResponseAsync(() => latePage.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync(),
                response => response.Request.Method == "POST" && response.Url.Contains("/connect/", StringComparison.Ordinal));
            Assert.Equal(410, refusedPost.Status);
            await Expect(latePage.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(new Regex("cancel", RegexOptions.IgnoreCase));
            Assert.StartsWith(publicBase, latePage.Url, StringComparison.Ordinal);
            var cancelledOpen = await latePage.GotoAsync(Url(cancelledRequest));
            Assert.Equal(410, cancelledOpen!.Status);
            await Expect(latePage.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(new Regex("cancel", RegexOptions.IgnoreCase));
            await ScreenshotAsync(latePage, "link-cancelled-410");

            // Cancelled while the person is at the provider: the request is checked again at the callback, before any exchange.
            var midwayRequest = await CreateRequestAsync(admin, new { workspace = "acme-co", provider = "oidc", label = "midway" });
            await latePage.GotoAsync(Url(midwayRequest));
            await latePage.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
            await latePage.Locator("input[name=login]").FillAsync("erin");
            using (var cancel = await admin.DeleteAsync($"/admin/api/connect-requests/{Id(midwayRequest)}"))
            {
                Assert.True(cancel.IsSuccessStatusCode, $"Cancel answered {(int)cancel.StatusCode}.");
            }

            await latePage.Locator("input[name=password]").FillAsync("any-password");
            await latePage.Locator("button[type=submit]").ClickAsync();
            await Expect(latePage.Locator("input[name=login]")).ToHaveCountAsync(0);
            var callback = await latePage.RunAndWaitForResponseAsync(() => latePage.Locator("button[type=submit]").ClickAsync(),
                response => response.Url.Contains("/admin/callback/oidc", StringComparison.Ordinal));
            Assert.Equal(410, callback.Status);
            await Expect(latePage.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(new Regex("cancel", RegexOptions.IgnoreCase));
            Assert.Equal("cancelled", (await RequestAsync(admin, midwayRequest)).GetProperty("status").GetString());
            await ScreenshotAsync(latePage, "callback-cancelled-410");

            var expiringRequest = await CreateRequestAsync(admin, new { workspace = "acme-co", provider = "oidc", label = "soon", expiresIn = 1 });
            await WaitForStatusAsync(admin, expiringRequest, "expired");
            var expiredOpen = await latePage.GotoAsync(Url(expiringRequest));
            Assert.Equal(410, expiredOpen!.Status);
            await Expect(latePage.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(new Regex("expired", RegexOptions.IgnoreCase));
            await Expect(latePage.GetByRole(AriaRole.Button, new() { Name = "Connect" })).ToHaveCountAsync(0);
            await ScreenshotAsync(latePage, "link-expired-410");

            Assert.Equal(exchangesBefore, Count(await oidc.StatsAsync(), "authorization_code"));
            Assert.Equal(connectionsBefore, await CountConnectionsAsync(admin, "acme-co"));
            Step("5 used, cancelled and expired links refused");

            // 6. A portal link minted by the operator shows the request still waiting, and its Connect works.
            var waitingRequest = await CreateRequestAsync(admin, new { workspace = "acme-co", provider = "oidc", label = "crm", message = "One more: the CRM for support." });
            using var minted = await admin.PostAsJsonAsync("/admin/api/workspaces/acme-co/portal-links", new { expiresIn = 3600 });
            Assert.Equal(System.Net.HttpStatusCode.Created, minted.StatusCode);
            var portalLink = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
            await using var client = await NewContextAsync();
            var clientPage = await client.NewPageAsync();
            await clientPage.GotoAsync(portalLink);
            await clientPage.WaitForURLAsync(new Regex("/portal/connections$"));
            var panel = clientPage.Locator("[data-outstanding-requests]");
            await Expect(panel.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Outstanding connection requests");
            await Expect(panel.Locator("tbody tr")).ToHaveCountAsync(1);
            var waitingRow = panel.Locator($"tr[data-request=\"{Id(waitingRequest)}\"]");
            await Expect(waitingRow).ToContainTextAsync("Example CRM");
            await Expect(waitingRow).ToContainTextAsync("crm");
            await Expect(waitingRow).ToContainTextAsync("One more: the CRM for support.");
            var listed = clientPage.Locator("section[aria-labelledby=connections-title] tbody tr");
            await Expect(listed).ToHaveCountAsync(1);
            await Expect(listed).ToContainTextAsync("revoked");
            await ScreenshotAsync(clientPage, "portal-outstanding-requests");
            await waitingRow.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
            await SignInAtProviderAsync(clientPage, "erin", screenshot: null);
            await clientPage.WaitForURLAsync(PortalConnectionAddress());
            var secondConnectionId = PortalConnectionAddress().Match(clientPage.Url).Groups[1].Value;
            await Expect(clientPage.Locator(".status")).ToContainTextAsync("active");
            await ScreenshotAsync(clientPage, "portal-connected-from-panel");
            var second = await admin.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{secondConnectionId}");
            Assert.Equal("acme-co", second.GetProperty("workspace").GetString());
            Assert.Equal("connect_request", second.GetProperty("origin").GetString());
            Assert.Equal("crm", second.GetProperty("label").GetString());
            Assert.Equal("completed", (await RequestAsync(admin, waitingRequest)).GetProperty("status").GetString());
            await clientPage.GotoAsync($"{publicBase}/portal/connections");
            await Expect(clientPage.Locator("[data-outstanding-requests]")).ToHaveCountAsync(0);
            await Expect(clientPage.Locator("section[aria-labelledby=connections-title] tbody tr")).ToHaveCountAsync(2);
            Step("6 portal link and the outstanding requests panel");

            // 7. The event log says the client did what it did in the portal.
            var events = (await admin.GetFromJsonAsync<JsonElement>("/admin/api/events?workspace=acme-co&limit=500")).GetProperty("items").EnumerateArray().ToList();
            Assert.All(events, e => Assert.Equal("acme-co", e.GetProperty("workspace").GetString()));
            AssertEvent(events, "connection.created", acmeConnectionId, "portal");
            AssertEvent(events, "connection.refreshed", acmeConnectionId, "portal");
            AssertEvent(events, "connection.revoked", acmeConnectionId, "portal");
            AssertEvent(events, "connection.created", secondConnectionId, "portal");
            Assert.DoesNotContain(events, e => e.GetProperty("connectionId").GetString() == globexConnectionId);
            Step("7 event log");

            foreach (var line in steps)
            {
                output.WriteLine(line);
            }

            output.WriteLine($"Agency story on {store}: {watch.Elapsed.TotalSeconds:0.0} s; {shot} screenshots in {shots}");
        }
        finally
        {
            if (database is not null)
            {
                await database.DisposeAsync();
            }

            ProxyHost.DeleteDataDirectory(keyDirectory);
        }
    }

    /// <summary>A browser with no admin token and no cookie: the client, somewhere else.</summary>
    private Task<IBrowserContext> NewContextAsync() =>
        browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 800 } });

    /// <summary>oidc-provider's development sign-in (any login, any password), then its consent page.</summary>
    private static async Task SignInAtProviderAsync(IPage page, string login, Func<IPage, string, Task>? screenshot)
    {
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("any-password");
        if (screenshot is not null)
        {
            await screenshot(page, "provider-sign-in");
        }

        await page.Locator("button[type=submit]").ClickAsync();
        var consent = page.Locator("button[type=submit]");
        await Expect(page.Locator("input[name=login]")).ToHaveCountAsync(0);
        if (screenshot is not null)
        {
            await screenshot(page, "provider-consent");
        }

        await consent.ClickAsync();
    }

    private static async Task CreateWorkspaceAsync(HttpClient admin, string id, string displayName)
    {
        using var response = await admin.PostAsJsonAsync("/admin/api/workspaces", new { id, displayName });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<JsonElement> CreateRequestAsync(HttpClient admin, object body)
    {
        using var response = await admin.PostAsJsonAsync("/admin/api/connect-requests", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, json.ToString());
        return json;
    }

    private static async Task<JsonElement> RequestAsync(HttpClient admin, JsonElement request) =>
        await admin.GetFromJsonAsync<JsonElement>($"/admin/api/connect-requests/{Id(request)}");

    /// <summary>Polls the request until it reads <paramref name="status"/>: expiry is the clock's, not a sweep's (README, "Connect requests by link").</summary>
    private static async Task WaitForStatusAsync(HttpClient admin, JsonElement request, string status)
    {
        var watch = Stopwatch.StartNew();
        while ((await RequestAsync(admin, request)).GetProperty("status").GetString() != status)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"The request never became {status}.");
            await Task.Delay(50);
        }
    }

    private static async Task<int> CountConnectionsAsync(HttpClient admin, string workspace) =>
        (await admin.GetFromJsonAsync<JsonElement>($"/admin/api/connections?workspace={workspace}")).GetArrayLength();

    private static void AssertEvent(List<JsonElement> events, string type, string connectionId, string actor) =>
        Assert.True(
            events.Any(e => e.GetProperty("type").GetString() == type && e.GetProperty("connectionId").GetString() == connectionId && e.GetProperty("actor").GetString() == actor),
            $"No {type} event by {actor} for {connectionId} in: {string.Join(", ", events.Select(e => $"{e.GetProperty("type")}/{e.GetProperty("connectionId")}/{e.GetProperty("actor")}"))}");

    private static int Count(JsonElement stats, string name) => stats.GetProperty(name).GetInt32();

    private static string Id(JsonElement request) => request.GetProperty("id").GetString()!;

    private static string Url(JsonElement request) => request.GetProperty("url").GetString()!;

    [GeneratedRegex("/portal/connections/([^/?]+)\\?connected=1$")]
    private static partial Regex PortalConnectionAddress();
}
