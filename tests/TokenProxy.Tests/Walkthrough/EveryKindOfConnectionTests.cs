using System.Net;
using System.Text;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.OAuth;

namespace TokenProxy.Tests.Walkthrough;

/// <summary>
/// The README's "Walkthrough: every kind of connection", step by step, against TokenProxy running as its own process and
/// loopback stand-ins for the providers (<see cref="WalkthroughStandIns"/>): each connection is made as the README says and
/// then called through the proxy, and what reached the stand-in (host, path, credential) is asserted. The browser steps
/// are an HttpClient keeping cookies and following the redirects a browser would; the pages themselves are covered in
/// Chromium by the browser tests.
/// </summary>
public sealed class EveryKindOfConnectionTests(WalkthroughStandIns standIns) : IClassFixture<WalkthroughStandIns>
{
    private ProxyProcess Proxy => standIns.Proxy;

    [Fact]
    public async Task Zendesk_the_subdomain_on_the_connect_url_sends_the_sign_in_and_the_api_calls_to_that_accounts_host()
    {
        using var browser = new ConnectFlow(Proxy.Address);

        using var start = await browser.GetAsync($"/admin/connect/zendesk?subdomain={WalkthroughStandIns.Subdomain}");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!;
        Assert.Equal($"127.0.0.1:{standIns.ZendeskAuthorization.Address.Port}", authorize.Authority);
        Assert.Equal("/authorize", authorize.AbsolutePath);
        var connection = await ComeBackAsync(browser, "zendesk", authorize);

        Assert.Equal(WalkthroughStandIns.Subdomain, connection.GetProperty("parameters").GetProperty("subdomain").GetString());
        Assert.Equal("ada@acme.example", connection.GetProperty("account").GetProperty("email").GetString());
        using var call = await Proxy.Client.GetAsync("/zendesk/api/v2/tickets.json");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        var seen = LastRequestAt(standIns.ZendeskAccount, "/api/v2/tickets.json");
        Assert.Equal("Bearer access-1", seen.Header("Authorization"));
    }

    [Fact]
    public async Task Salesforce_the_instance_url_of_the_token_answer_is_where_the_api_calls_go()
    {
        using var browser = new ConnectFlow(Proxy.Address);

        using var start = await browser.GetAsync("/admin/connect/salesforce");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.Equal(standIns.SalesforceLogin.Address.Authority, start.Headers.Location!.Authority);
        var connection = await ComeBackAsync(browser, "salesforce", start.Headers.Location);

        Assert.Equal($"http://{standIns.SalesforceInstance.Address.Authority}", connection.GetProperty("parameters").GetProperty("instance_url").GetString());
        using var call = await Proxy.Client.GetAsync("/salesforce/services/data/v62.0/sobjects");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        var seen = LastRequestAt(standIns.SalesforceInstance, "/services/data/v62.0/sobjects");
        Assert.Equal("Bearer sf-access-1", seen.Header("Authorization"));
        Assert.Equal(1, standIns.SalesforceLogin.Calls);
    }

    [Fact]
    public async Task Jira_with_two_sites_the_person_picks_one_and_the_api_calls_go_to_that_sites_path()
    {
        using var browser = new ConnectFlow(Proxy.Address);

        using var start = await browser.GetAsync("/admin/connect/jira");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var state = System.Web.HttpUtility.ParseQueryString(start.Headers.Location!.Query)["state"]!;
        using var callback = await browser.CallbackAsync("jira", ("code", "code-1"), ("state", state));
        var page = await callback.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        Assert.Contains("Acme Jira", page, StringComparison.Ordinal);
        Assert.Contains("Beta Jira", page, StringComparison.Ordinal);
        using var pick = await browser.PostFormAsync("/admin/callback/jira/pick",
            ("pick", SiteDiscoveryConnectTests.PickKey(page)), ("value", WalkthroughStandIns.SecondSite));
        var connection = await FollowToConnectionAsync(browser, pick);

        Assert.Equal(WalkthroughStandIns.SecondSite, connection.GetProperty("parameters").GetProperty("cloudId").GetString());
        using var call = await Proxy.Client.GetAsync("/jira/rest/api/3/myself");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        var seen = LastRequestAt(standIns.AtlassianApi, $"/ex/jira/{WalkthroughStandIns.SecondSite}/rest/api/3/myself");
        Assert.Equal("Bearer access-1", seen.Header("Authorization"));
    }

    [Fact]
    public async Task Stripe_an_imported_api_key_goes_in_its_header_instead_of_the_apps_own()
    {
        var created = await CreateAsync(new { provider = "stripe", label = "default", apiKey = "sk_test_walkthrough" });
        Assert.Equal("apikey", created.GetProperty("credentialKind").GetString());

        using var call = await Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/stripe/v1/customers?limit=3")
        {
            Headers = { { "Authorization", "Bearer what-the-app-had" } },
        });

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        var seen = LastRequestAt(standIns.Stripe, "/v1/customers?limit=3");
        Assert.Equal("Bearer sk_test_walkthrough", seen.Header("Authorization"));
    }

    [Fact]
    public async Task Twilio_imported_basic_credentials_and_account_sid_make_the_address_and_the_authorization()
    {
        const string accountSid = "AC0123456789abcdef0123456789abcdef";
        var created = await CreateAsync(new
        {
            provider = "twilio", label = "default", username = "SKwalkthrough", password = "walkthrough-secret", parameters = new { accountSid },
        });
        Assert.Equal("basic", created.GetProperty("credentialKind").GetString());

        using var call = await Proxy.Client.GetAsync("/twilio/Messages.json");

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        var seen = LastRequestAt(standIns.Twilio, $"/2010-04-01/Accounts/{accountSid}/Messages.json");
        Assert.Equal($"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes("SKwalkthrough:walkthrough-secret"))}", seen.Header("Authorization"));
    }

    [Fact]
    public async Task Client_credentials_a_created_connection_calls_the_api_with_a_token_the_real_authorization_server_issued_to_the_client()
    {
        var created = await CreateAsync(new { provider = "billing", label = "svc", scopes = new[] { "api:read" } });
        Assert.Equal("clientcredentials", created.GetProperty("credentialKind").GetString());

        using var call = await Proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/billing/v1/invoices")
        {
            Headers = { { "TokenProxy-Connection", "svc" } },
        });

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        var seen = LastRequestAt(standIns.BillingApi, "/v1/invoices");
        var token = seen.Header("Authorization")!["Bearer ".Length..];
        var introspection = await standIns.BillingAuthorization.IntrospectAsync(token);
        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal(OidcProviderServer.ClientId, introspection.GetProperty("client_id").GetString());
        Assert.Equal(1, (await standIns.BillingAuthorization.StatsAsync()).GetProperty("client_credentials").GetInt32());
    }

    /// <summary>The last request the stand-in received, asserted to have come to its own host and to <paramref name="pathAndQuery"/>.</summary>
    private static RecordedRequest LastRequestAt(RecordingUpstream api, string pathAndQuery)
    {
        var seen = api.Requests.Last();
        Assert.Equal(api.Address.Authority, seen.Host);
        Assert.Equal(pathAndQuery, seen.PathAndQuery);
        return seen;
    }

    /// <summary>The authorization server sends the browser back with a code; the callback's redirect lands on the new connection's page.</summary>
    private async Task<JsonElement> ComeBackAsync(ConnectFlow browser, string provider, Uri authorize)
    {
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;
        using var callback = await browser.CallbackAsync(provider, ("code", "code-1"), ("state", state));
        return await FollowToConnectionAsync(browser, callback);
    }

    private async Task<JsonElement> FollowToConnectionAsync(ConnectFlow browser, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var page = response.Headers.Location!.OriginalString;
        using var shown = await browser.GetAsync(page);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        var id = page.Split('/', '?')[3];
        var connection = await Proxy.Client.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{id}");
        Assert.Equal("active", connection.GetProperty("status").GetString());
        return connection;
    }

    /// <summary>An import (with a credential) or a client-credentials create (without), through the admin API.</summary>
    private async Task<JsonElement> CreateAsync(object body)
    {
        using var response = await Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement;
    }
}
