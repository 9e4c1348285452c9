using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Walkthrough;

/// <summary>
/// The README's walkthrough configuration ("Walkthrough: every kind of connection") with every host swapped for a loopback
/// stand-in, served by TokenProxy running as its own process. Each provider keeps its shipped preset's name, so what the
/// walkthrough leaves to the preset (patterns, client authentication, PKCE, parameters without a host) is the preset's own;
/// only the keys holding a host are set here (with the preset's other fields of the same section), and the
/// client-credentials scope is one the oidc-provider knows. The stand-ins: scripted authorization servers for Zendesk,
/// Salesforce and Atlassian, the real oidc-provider for client credentials, and one recording API per provider (a
/// Salesforce instance, the Atlassian API host, a Zendesk account...).
/// </summary>
public sealed class WalkthroughStandIns : IAsyncLifetime
{
    public const string FirstSite = "11111111-1111-4111-8111-111111111111";
    public const string SecondSite = "22222222-2222-4222-8222-222222222222";

    /// <summary>
    /// On loopback a Zendesk host <c>{subdomain}.zendesk.com</c> becomes <c>{subdomain}.0.0.1</c>: the subdomain <c>127</c>
    /// names 127.0.0.1, where the stand-ins listen (a made-up name such as <c>acme.zendesk.test</c> resolves nowhere here).
    /// </summary>
    public const string Subdomain = "127";

    internal FakeAuthorizationServer ZendeskAuthorization { get; private set; } = null!;

    internal RecordingUpstream ZendeskAccount { get; private set; } = null!;

    internal FakeAuthorizationServer SalesforceLogin { get; private set; } = null!;

    internal RecordingUpstream SalesforceInstance { get; private set; } = null!;

    internal FakeAuthorizationServer AtlassianAuthorization { get; private set; } = null!;

    internal RecordingUpstream AtlassianApi { get; private set; } = null!;

    internal RecordingUpstream Stripe { get; private set; } = null!;

    internal RecordingUpstream Twilio { get; private set; } = null!;

    internal OidcProviderServer BillingAuthorization { get; private set; } = null!;

    internal RecordingUpstream BillingApi { get; private set; } = null!;

    internal ProxyProcess Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ZendeskAuthorization = await FakeAuthorizationServer.StartAsync();
        ZendeskAccount = await StartApiAsync(new() { ["/api/v2/users/me.json"] = new { user = new { id = 7, email = "ada@acme.example", name = "Ada" } } });
        SalesforceLogin = await FakeAuthorizationServer.StartAsync();
        SalesforceInstance = await StartApiAsync(new() { ["/services/oauth2/userinfo"] = new { user_id = "005xx", email = "grace@acme.example", name = "Grace" } });
        var instance = SalesforceInstance.Address;
        // Salesforce's token answer names the instance the account lives on (its login host is another).
        SalesforceLogin.Respond = (context, n) => context.Response.WriteAsJsonAsync(new
        {
            access_token = $"sf-access-{n}", refresh_token = $"sf-refresh-{n}", token_type = "Bearer", instance_url = $"http://{instance.Authority}",
        });
        AtlassianAuthorization = await FakeAuthorizationServer.StartAsync();
        AtlassianApi = await StartApiAsync(new()
        {
            ["/oauth/token/accessible-resources"] = new[] { new { id = FirstSite, name = "Acme Jira" }, new { id = SecondSite, name = "Beta Jira" } },
            ["/me"] = new { account_id = "557058:1", email = "linus@acme.example", name = "Linus" },
        });
        Stripe = await RecordingUpstream.StartAsync();
        Twilio = await RecordingUpstream.StartAsync();
        // No browser comes back from a client-credentials grant: the redirect URI only has to be a valid one.
        BillingAuthorization = await OidcProviderServer.StartAsync("http://127.0.0.1:9/admin/callback/billing", accessTokenSeconds: 600);
        BillingApi = await RecordingUpstream.StartAsync();
        Proxy = await ProxyProcess.StartAsync(Settings(), VaultKey.Generate().ToBase64());
    }

    /// <summary>The walkthrough's entries, in the README's shape, hosts swapped for the stand-ins'.</summary>
    private Dictionary<string, string?> Settings()
    {
        var zendeskAuthorization = ZendeskAuthorization.Address.Port;
        var zendeskAccount = ZendeskAccount.Address.Port;
        var atlassianAuthorization = AtlassianAuthorization.Address;
        var atlassianApi = AtlassianApi.Address;
        return new()
        {
            ["TokenProxy:Refresh:Background"] = "false",

            ["TokenProxy:Providers:zendesk:ClientId"] = "zendesk-client",
            ["TokenProxy:Providers:zendesk:ClientSecret"] = FakeAuthorizationServer.ClientSecret,
            ["TokenProxy:Providers:zendesk:AuthorizationUrl"] = $"http://{{subdomain}}.0.0.1:{zendeskAuthorization}/authorize",
            ["TokenProxy:Providers:zendesk:TokenUrl"] = $"http://{{subdomain}}.0.0.1:{zendeskAuthorization}/token",
            ["TokenProxy:Providers:zendesk:ApiBaseUrl"] = $"http://{{subdomain}}.0.0.1:{zendeskAccount}",
            ["TokenProxy:Providers:zendesk:Identity:Url"] = $"http://{{subdomain}}.0.0.1:{zendeskAccount}/api/v2/users/me.json",
            ["TokenProxy:Providers:zendesk:Identity:IdField"] = "user.id",
            ["TokenProxy:Providers:zendesk:Identity:EmailField"] = "user.email",
            ["TokenProxy:Providers:zendesk:Identity:NameField"] = "user.name",
            ["TokenProxy:Providers:zendesk:AllowedHosts:0"] = $"127.0.0.1:{zendeskAuthorization}",
            ["TokenProxy:Providers:zendesk:AllowedHosts:1"] = $"127.0.0.1:{zendeskAccount}",

            ["TokenProxy:Providers:salesforce:ClientId"] = "salesforce-client",
            ["TokenProxy:Providers:salesforce:ClientSecret"] = FakeAuthorizationServer.ClientSecret,
            ["TokenProxy:Providers:salesforce:AuthorizationUrl"] = new Uri(SalesforceLogin.Address, "/services/oauth2/authorize").AbsoluteUri,
            ["TokenProxy:Providers:salesforce:TokenUrl"] = SalesforceLogin.TokenUrl.AbsoluteUri,
            ["TokenProxy:Providers:salesforce:AllowedHosts:0"] = SalesforceInstance.Address.Authority,

            ["TokenProxy:Providers:jira:ClientId"] = "atlassian-client",
            ["TokenProxy:Providers:jira:ClientSecret"] = FakeAuthorizationServer.ClientSecret,
            ["TokenProxy:Providers:jira:AuthorizationUrl"] = new Uri(atlassianAuthorization, "/authorize").AbsoluteUri,
            ["TokenProxy:Providers:jira:TokenUrl"] = AtlassianAuthorization.TokenUrl.AbsoluteUri,
            ["TokenProxy:Providers:jira:ApiBaseUrl"] = new Uri(atlassianApi, "/ex/jira/{cloudId}").OriginalString,
            ["TokenProxy:Providers:jira:Parameters:cloudId:Label"] = "Atlassian site",
            ["TokenProxy:Providers:jira:Parameters:cloudId:Pattern"] = @"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z",
            ["TokenProxy:Providers:jira:Parameters:cloudId:Discovery:Url"] = new Uri(atlassianApi, "/oauth/token/accessible-resources").AbsoluteUri,
            ["TokenProxy:Providers:jira:Parameters:cloudId:Discovery:ValueField"] = "id",
            ["TokenProxy:Providers:jira:Parameters:cloudId:Discovery:LabelField"] = "name",
            ["TokenProxy:Providers:jira:Identity:Url"] = new Uri(atlassianApi, "/me").AbsoluteUri,
            ["TokenProxy:Providers:jira:Identity:IdField"] = "account_id",
            ["TokenProxy:Providers:jira:Identity:EmailField"] = "email",
            ["TokenProxy:Providers:jira:Identity:NameField"] = "name",

            ["TokenProxy:Providers:stripe:ApiBaseUrl"] = Stripe.Address.AbsoluteUri,
            ["TokenProxy:Providers:twilio:ApiBaseUrl"] = new Uri(Twilio.Address, "/2010-04-01/Accounts/{accountSid}").OriginalString,

            ["TokenProxy:Providers:billing:ApiBaseUrl"] = BillingApi.Address.AbsoluteUri,
            ["TokenProxy:Providers:billing:TokenUrl"] = new Uri(BillingAuthorization.Issuer, "/token").AbsoluteUri,
            ["TokenProxy:Providers:billing:Auth"] = "ClientCredentials",
            ["TokenProxy:Providers:billing:ClientId"] = OidcProviderServer.ClientId,
            ["TokenProxy:Providers:billing:ClientSecret"] = OidcProviderServer.ClientSecret,
            ["TokenProxy:Providers:billing:Scopes:0"] = "api:read",
        };
    }

    /// <summary>A recording API answering the given paths with their JSON, every other path with <c>{"ok":true}</c>.</summary>
    private static async Task<RecordingUpstream> StartApiAsync(Dictionary<string, object> answers)
    {
        var api = await RecordingUpstream.StartAsync();
        api.Respond = (context, request) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(answers.TryGetValue(request.PathAndQuery, out var answer) ? JsonSerializer.Serialize(answer) : """{"ok":true}""");
        };
        return api;
    }

    public async Task DisposeAsync()
    {
        foreach (var part in new IAsyncDisposable?[]
        {
            Proxy, BillingApi, BillingAuthorization, Twilio, Stripe, AtlassianApi, AtlassianAuthorization, SalesforceInstance, SalesforceLogin,
            ZendeskAccount, ZendeskAuthorization,
        })
        {
            if (part is not null)
            {
                await part.DisposeAsync();
            }
        }
    }
}
