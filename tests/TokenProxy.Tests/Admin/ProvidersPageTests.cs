using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Admin;

/// <summary>
/// <c>/admin/providers</c>, its import form and <c>GET /admin/api/providers</c>: what each provider needs, the redirect
/// URI to register, and the actions that fit its credential kinds.
/// </summary>
public sealed class ProvidersPageTests : IAsyncLifetime
{
    private const string PublicBaseUrl = "https://proxy.example.test/";

    private ProxyScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await ProxyScenario.StartAsync(configure: (settings, api) =>
    {
        settings["TokenProxy:PublicBaseUrl"] = PublicBaseUrl;
        settings["TokenProxy:Providers:acme:AuthorizationUrl"] = new Uri(api, "/authorize").AbsoluteUri;
        settings["TokenProxy:Providers:acme:TokenUrl"] = new Uri(api, "/token").AbsoluteUri;
        settings["TokenProxy:Providers:acme:ClientId"] = "acme-client";
        settings["TokenProxy:Providers:acme:ClientSecret"] = "acme-client-secret";
        settings["TokenProxy:Providers:acme:Scopes:0"] = "read";
        // A confidential client whose secret was left out: its code exchange would be refused as invalid_client.
        settings["TokenProxy:Providers:nosecret:AuthorizationUrl"] = new Uri(api, "/authorize").AbsoluteUri;
        settings["TokenProxy:Providers:nosecret:TokenUrl"] = new Uri(api, "/token").AbsoluteUri;
        settings["TokenProxy:Providers:nosecret:ApiBaseUrl"] = api.AbsoluteUri;
        settings["TokenProxy:Providers:nosecret:ClientId"] = "nosecret-client";
        // A public client says so, and needs no secret.
        settings["TokenProxy:Providers:public:AuthorizationUrl"] = new Uri(api, "/authorize").AbsoluteUri;
        settings["TokenProxy:Providers:public:TokenUrl"] = new Uri(api, "/token").AbsoluteUri;
        settings["TokenProxy:Providers:public:ApiBaseUrl"] = api.AbsoluteUri;
        settings["TokenProxy:Providers:public:ClientId"] = "public-client";
        settings["TokenProxy:Providers:public:TokenEndpointAuth"] = "none";
        settings["TokenProxy:Providers:acme:Scopes:1"] = "write";
        // A configured entry over a preset that still lacks its client id.
        settings["TokenProxy:Providers:github:DisplayName"] = "GitHub Enterprise";
    });

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    [Fact]
    public async Task Page_lists_configured_and_unconfigured_providers_with_the_callback_redirect_uri_setup_and_fitting_actions()
    {
        var html = await _scenario.Proxy.Client.GetStringAsync("/admin/providers");

        var acme = Section(html, "acme");
        Assert.Contains("Ready to connect", acme, StringComparison.Ordinal);
        Assert.Contains("Set TokenProxy:Providers:nosecret:ClientSecret to connect", Section(html, "nosecret"), StringComparison.Ordinal);
        Assert.Contains("<code>https://proxy.example.test/admin/callback/acme</code>", acme, StringComparison.Ordinal);
        Assert.Contains("read write", acme, StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/connect/acme\"", acme, StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/providers/acme/import?kind=bearer\"", acme, StringComparison.Ordinal);
        Assert.DoesNotContain("acme-client", html, StringComparison.Ordinal);

        var github = Section(html, "github");
        Assert.Contains("GitHub Enterprise", github, StringComparison.Ordinal);
        Assert.Contains("Set TokenProxy:Providers:github:ClientId and ClientSecret to connect.", github, StringComparison.Ordinal);
        Assert.Contains("<code>https://proxy.example.test/admin/callback/github</code>", github, StringComparison.Ordinal);
        Assert.Contains("https://docs.github.com/", github, StringComparison.Ordinal);
        Assert.DoesNotContain("/admin/connect/github", github, StringComparison.Ordinal);

        var zendesk = Section(html, "zendesk");
        Assert.Contains("Set TokenProxy:Providers:zendesk:ClientId and ClientSecret to connect.", zendesk, StringComparison.Ordinal);
        Assert.Contains("Zendesk subdomain (<code>subdomain</code>, given)", zendesk, StringComparison.Ordinal);

        var stripe = Section(html, "stripe");
        Assert.Contains("Ready: its credentials are imported", stripe, StringComparison.Ordinal);
        Assert.Contains("API key", stripe, StringComparison.Ordinal);
        Assert.DoesNotContain("Redirect URI", stripe, StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/providers/stripe/import?kind=apikey\"", stripe, StringComparison.Ordinal);
        Assert.DoesNotContain("/admin/connect/", stripe, StringComparison.Ordinal);

        var twilio = Section(html, "twilio");
        Assert.Contains("href=\"/admin/providers/twilio/import?kind=basic\"", twilio, StringComparison.Ordinal);
        Assert.Contains("Twilio Account SID", twilio, StringComparison.Ordinal);

        // Every admin page links to it.
        var connections = await _scenario.Proxy.Client.GetStringAsync("/admin/connections");
        Assert.Contains("<a href=\"/admin/providers\">Providers</a>", connections, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_lists_the_same_redirect_uri_scopes_kinds_parameters_and_setup()
    {
        var providers = (await _scenario.Proxy.Client.GetFromJsonAsync<JsonElement[]>("/admin/api/providers"))!.ToDictionary(p => p.GetProperty("name").GetString()!);

        var acme = providers["acme"];
        Assert.True(acme.GetProperty("configured").GetBoolean());
        Assert.Equal("https://proxy.example.test/admin/callback/acme", acme.GetProperty("redirectUri").GetString());
        Assert.Equal(["read", "write"], acme.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["oauth2"], acme.GetProperty("credentialKinds").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(JsonValueKind.Null, acme.GetProperty("setup").ValueKind);
        Assert.Equal(
            "Set TokenProxy:Providers:nosecret:ClientSecret to connect, or TokenEndpointAuth none for a public client (PKCE).",
            providers["nosecret"].GetProperty("setup").GetString());
        Assert.Equal(JsonValueKind.Null, providers["public"].GetProperty("setup").ValueKind);

        Assert.Equal("Set TokenProxy:Providers:zendesk:ClientId and ClientSecret to connect.", providers["zendesk"].GetProperty("setup").GetString());
        var subdomain = providers["zendesk"].GetProperty("parameters")[0];
        Assert.Equal(("subdomain", "Zendesk subdomain", "given"), (subdomain.GetProperty("name").GetString(), subdomain.GetProperty("label").GetString(), subdomain.GetProperty("source").GetString()));
        Assert.Equal("tokenResponse", providers["salesforce"].GetProperty("parameters")[0].GetProperty("source").GetString());
        Assert.Equal("discovery", providers["jira"].GetProperty("parameters")[0].GetProperty("source").GetString());

        var twilio = providers["twilio"];
        Assert.Equal(["basic"], twilio.GetProperty("credentialKinds").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(JsonValueKind.Null, twilio.GetProperty("redirectUri").ValueKind);
        Assert.Equal(JsonValueKind.Null, twilio.GetProperty("setup").ValueKind);
        Assert.DoesNotContain("acme-client", JsonSerializer.Serialize(providers), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_form_asks_for_the_kinds_secret_the_declared_parameters_and_a_label()
    {
        var basic = await _scenario.Proxy.Client.GetStringAsync("/admin/providers/freshdesk/import?kind=basic");
        var key = await _scenario.Proxy.Client.GetStringAsync("/admin/providers/stripe/import");
        var token = await _scenario.Proxy.Client.GetStringAsync("/admin/providers/acme/import?kind=bearer");

        Assert.Contains("data-import data-provider=\"freshdesk\"", basic, StringComparison.Ordinal);
        Assert.Contains("name=\"username\" type=\"text\"", basic, StringComparison.Ordinal);
        Assert.Contains("name=\"password\" type=\"password\"", basic, StringComparison.Ordinal);
        Assert.Contains("Freshdesk subdomain (acme in acme.freshdesk.com) (<code>domain</code>)", basic, StringComparison.Ordinal);
        Assert.Contains("data-parameter=\"domain\" data-field=\"parameters.domain\"", basic, StringComparison.Ordinal);
        Assert.Contains("name=\"label\" type=\"text\" value=\"default\"", basic, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"apiKey\"", basic, StringComparison.Ordinal);
        Assert.Contains("name=\"apiKey\" type=\"password\"", key, StringComparison.Ordinal);
        Assert.Contains("name=\"accessToken\" type=\"password\"", token, StringComparison.Ordinal);
        Assert.DoesNotContain("data-parameter", key + token, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provider_offering_client_credentials_says_what_to_set_and_its_form_asks_for_scopes_and_no_secret()
    {
        await using var scenario = await ProxyScenario.StartAsync(configure: (settings, api) =>
        {
            settings["TokenProxy:Providers:machine:ApiBaseUrl"] = api.AbsoluteUri;
            settings["TokenProxy:Providers:machine:TokenUrl"] = new Uri(api, "/token").AbsoluteUri;
            settings["TokenProxy:Providers:machine:Auth"] = "ClientCredentials";
            settings["TokenProxy:Providers:machine:Scopes:0"] = "invoices:read";
        });

        var providers = (await scenario.Proxy.Client.GetFromJsonAsync<JsonElement[]>("/admin/api/providers"))!.ToDictionary(p => p.GetProperty("name").GetString()!);
        var html = await scenario.Proxy.Client.GetStringAsync("/admin/providers");
        var form = await scenario.Proxy.Client.GetStringAsync("/admin/providers/machine/import");

        var machine = providers["machine"];
        Assert.Equal(["clientcredentials"], machine.GetProperty("credentialKinds").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("Set TokenProxy:Providers:machine:ClientId and ClientSecret to create client-credentials connections.", machine.GetProperty("setup").GetString());
        Assert.Contains("Client credentials (the proxy&#x27;s own grant)", Section(html, "machine"), StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/providers/machine/import?kind=clientcredentials\"", Section(html, "machine"), StringComparison.Ordinal);
        Assert.Contains("data-done=\"created\"", form, StringComparison.Ordinal);
        Assert.Contains("name=\"scopes\" type=\"text\" value=\"invoices:read\"", form, StringComparison.Ordinal);
        Assert.DoesNotContain("type=\"password\"", form, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_form_for_an_unknown_provider_or_a_kind_it_does_not_offer_is_a_404_page()
    {
        using var unknown = await _scenario.Proxy.Client.GetAsync("/admin/providers/nope/import");
        using var offered = await _scenario.Proxy.Client.GetAsync("/admin/providers/stripe/import?kind=basic");
        using var made = await _scenario.Proxy.Client.GetAsync("/admin/providers/acme/import?kind=<b>oauth2</b>");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("No provider named &#x27;nope&#x27; is configured.", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, offered.StatusCode);
        Assert.Contains("Stripe does not take that kind of credential", await offered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, made.StatusCode);
        Assert.DoesNotContain("<b>", await made.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hostile_display_name_and_parameter_label_render_as_text_on_the_page_and_the_form()
    {
        const string Hostile = "<script>alert(\"x\")</script>\n'quoted'";
        await using var scenario = await ProxyScenario.StartAsync(configure: (settings, api) =>
        {
            // A display name is one line (a newline in it stops startup); a parameter's label may hold one.
            settings["TokenProxy:Providers:odd:DisplayName"] = Hostile.Replace('\n', ' ');
            settings["TokenProxy:Providers:odd:ApiBaseUrl"] = $"{api.AbsoluteUri}accounts/{{account}}";
            settings["TokenProxy:Providers:odd:Auth"] = "Basic";
            settings["TokenProxy:Providers:odd:Parameters:account:Pattern"] = "^[a-z]+\\z";
            settings["TokenProxy:Providers:odd:Parameters:account:Label"] = Hostile;
        });

        foreach (var path in new[] { "/admin/providers", "/admin/providers/odd/import" })
        {
            var html = await scenario.Proxy.Client.GetStringAsync(path);

            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("'quoted'", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#x27;quoted&#x27;", html, StringComparison.Ordinal);
        }

        var form = await scenario.Proxy.Client.GetStringAsync("/admin/providers/odd/import");
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#xA;&#x27;quoted&#x27;", form, StringComparison.Ordinal);
    }

    /// <summary>The markup of one provider's card on the page.</summary>
    private static string Section(string html, string provider)
    {
        var start = html.IndexOf($"data-provider=\"{provider}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"The page does not list {provider}.");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }
}
